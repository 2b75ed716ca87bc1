using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Apis;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Actors;

/// <summary>
/// A fan's seller account, for the marketplace's question "can this fan be paid out?". An account still onboarding is
/// looked up at the gateway, as the organizers' status endpoint does: coming back from onboarding does not mean it is done.
/// </summary>
public sealed class SellerAccountActor(ActorHost host, IServiceScopeFactory scopes) : Actor(host), ISellerAccountActor
{
    public async Task<SellerAccountView> GetAsync()
    {
        var userId = Guid.ParseExact(Id.Id, "N");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaymentsDbContext>();
        var account = await db.SellerAccounts.SingleOrDefaultAsync(a => a.UserId == userId);
        if (account is null)
        {
            return new SellerAccountView(userId, "not_started", null, false);
        }

        if (!account.PayoutsEnabled)
        {
            await SellerConnect.RefreshAsync(db, scope.ServiceProvider.GetRequiredService<IPaymentGateway>(), account, Host.TimeProvider.GetUtcNow(), CancellationToken.None);
        }

        return SellerConnect.View(account);
    }
}
