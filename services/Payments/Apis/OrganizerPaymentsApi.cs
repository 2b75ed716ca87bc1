using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Apis;

/// <summary>
/// An organizer's money: what it is owed (the payable balance), its connected account for payouts, and its payouts.
/// For the organizer's admins and platform admins; another organizer's is answered 404.
/// </summary>
public static class OrganizerPaymentsApi
{
    public static RouteGroupBuilder MapOrganizerPaymentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments/organizers/{organizerId:guid}").WithTags("Organizer payments").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapGet("/balance", GetBalance).WithName("GetOrganizerBalance")
            .WithSummary("What the organizer is owed, per currency: the payable balance and how much of it has cleared the hold period for payout.")
            .Problems(PaymentsProblems.OrganizerNotFound);
        group.MapPost("/connect", StartOnboarding).WithName("StartConnectOnboarding")
            .WithSummary("Creates the organizer's connected account if needed and answers a fresh single-use onboarding link.")
            .Problems(() => PaymentsProblems.GatewayRefused("a b"), PaymentsProblems.GatewayUnavailable, () => PaymentsProblems.InvalidCountry("a b"), PaymentsProblems.OrganizerNotFound);
        group.MapGet("/connect", GetConnectStatus).WithName("GetConnectStatus")
            .WithSummary("Where the organizer's connected account stands: not_started, onboarding or enabled (payouts possible).")
            .Problems(() => PaymentsProblems.GatewayRefused("a b"), PaymentsProblems.GatewayUnavailable, PaymentsProblems.OrganizerNotFound);
        group.MapGet("/payouts", ListPayouts).WithName("ListPayouts").WithSummary("The organizer's payouts, newest first (cursor pagination).")
            .Problems(PaymentsProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapGet("/seller-payouts", ListSellerPayouts).WithName("ListOrganizerSellerPayouts")
            .WithSummary("The payouts to fans who resold tickets of the organizer's events (scheduled, withheld, pending, paid, failed), newest first; optionally of one event.")
            .Problems(PaymentsProblems.OrganizerNotFound);
        return group;
    }

    public sealed record BalanceResponse(Guid OrganizerId, TimeSpan HoldPeriod, IReadOnlyList<CurrencyBalance> Balances);

    /// <summary><c>balance</c> = <c>available</c> (may be paid out now) + <c>onHold</c> (posted within the hold period). Minor units.</summary>
    public sealed record CurrencyBalance(string Currency, long Balance, long Available, long OnHold);

    /// <summary>Optional: the account's country (ISO 3166-1 alpha-2, default from configuration) and e-mail.</summary>
    public sealed record ConnectRequest([property: StringLength(2, MinimumLength = 2)] string? Country, [property: EmailAddress, StringLength(254)] string? Email);

    public sealed record OnboardingResponse(string AccountId, Uri OnboardingUrl, DateTimeOffset ExpiresAt);

    public sealed record ConnectStatusResponse(string Status, string? AccountId, bool DetailsSubmitted, bool PayoutsEnabled);

    public sealed record PayoutResponse(Guid Id, Guid OrganizerId, string Currency, long Amount, string Status, string? TransferId, string? FailureMessage,
        DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    private static async Task<Ok<BalanceResponse>> GetBalance(Guid organizerId, Caller caller, PaymentsDbContext db, IOptions<PaymentsOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        Authorize(caller, organizerId);
        var hold = options.Value.Payouts.HoldPeriod;
        var balances = await OrganizerBalances.ReadAsync(db, organizerId, time.GetUtcNow() - hold, cancellationToken);
        return TypedResults.Ok(new BalanceResponse(organizerId, hold, [.. balances.Select(b => new CurrencyBalance(b.Currency, b.Balance, b.Available, b.OnHold))]));
    }

    private static async Task<Ok<OnboardingResponse>> StartOnboarding(Guid organizerId, ConnectRequest? request, Caller caller, PaymentsDbContext db,
        IPaymentGateway gateway, IOptions<PaymentsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        Authorize(caller, organizerId);
        var connect = options.Value.Connect;
        var country = (request?.Country ?? connect.DefaultCountry).ToUpperInvariant();
        if (!country.All(char.IsAsciiLetterUpper))
        {
            throw PaymentsProblems.InvalidCountry(country);
        }

        try
        {
            var account = await db.OrganizerAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.OrganizerId == organizerId, cancellationToken);
            if (account is null)
            {
                // The key makes a retried or concurrent first request the same account at the gateway.
                var created = await gateway.CreateConnectAccountAsync(new NewAccount(country, request?.Email,
                    new Dictionary<string, string> { [PaymentMetadata.OrganizerId] = organizerId.ToString() }), $"connect:{organizerId}", cancellationToken);
                account = await RecordAccountAsync(db, organizerId, gateway.Name, created, time.GetUtcNow(), cancellationToken);
            }

            var link = await gateway.CreateOnboardingLinkAsync(account.AccountId, connect.RefreshUrl, connect.ReturnUrl, cancellationToken);
            return TypedResults.Ok(new OnboardingResponse(account.AccountId, link.Url, link.ExpiresAt));
        }
        catch (GatewayException e)
        {
            throw PaymentsProblems.Gateway(e);
        }
    }

    private static async Task<Ok<ConnectStatusResponse>> GetConnectStatus(Guid organizerId, Caller caller, PaymentsDbContext db, IPaymentGateway gateway,
        TimeProvider time, CancellationToken cancellationToken)
    {
        Authorize(caller, organizerId);
        var account = await db.OrganizerAccounts.SingleOrDefaultAsync(a => a.OrganizerId == organizerId, cancellationToken);
        if (account is null)
        {
            return TypedResults.Ok(new ConnectStatusResponse("not_started", null, false, false));
        }

        if (!account.PayoutsEnabled)
        {
            // Coming back from onboarding does not mean it is complete, and its webhook may not be here yet: ask.
            try
            {
                var current = await gateway.GetConnectAccountAsync(account.AccountId, cancellationToken);
                account.DetailsSubmitted = current.DetailsSubmitted;
                account.ChargesEnabled = current.ChargesEnabled;
                account.PayoutsEnabled = current.PayoutsEnabled;
                account.UpdatedAt = time.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (GatewayException e)
            {
                throw PaymentsProblems.Gateway(e);
            }
        }

        return TypedResults.Ok(new ConnectStatusResponse(account.PayoutsEnabled ? "enabled" : "onboarding", account.AccountId, account.DetailsSubmitted, account.PayoutsEnabled));
    }

    private static async Task<Ok<Page<PayoutResponse>>> ListPayouts(Guid organizerId, string? cursor, int? limit, Caller caller, PaymentsDbContext db,
        CancellationToken cancellationToken)
    {
        Authorize(caller, organizerId);
        var take = PageCursor.Limit(limit);
        var query = db.Payouts.AsNoTracking().Where(p => p.OrganizerId == organizerId);
        if (PageCursor.Decode(cursor) is var (at, after))
        {
            query = query.Where(p => p.CreatedAt < at || (p.CreatedAt == at && p.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, p => (p.CreatedAt, p.Id), ToResponse));
    }

    internal static PayoutResponse ToResponse(Payout payout) =>
        new(payout.Id, payout.OrganizerId, payout.Currency, payout.Amount, payout.Status, payout.TransferId, payout.FailureMessage, payout.CreatedAt, payout.CompletedAt);

    private static async Task<Ok<SellerPaymentsApi.SellerPayoutsResponse>> ListSellerPayouts(Guid organizerId, Guid? eventId, Caller caller, PaymentsDbContext db,
        CancellationToken cancellationToken)
    {
        Authorize(caller, organizerId);
        var payouts = db.SellerPayouts.AsNoTracking().Where(p => p.OrganizerId == organizerId);
        if (eventId is { } only)
        {
            payouts = payouts.Where(p => p.EventId == only);
        }

        var rows = await payouts.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.ResaleId).Take(500).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SellerPaymentsApi.SellerPayoutsResponse([.. rows.Select(SellerPaymentsApi.ToResponse)]));
    }

    private static void Authorize(Caller caller, Guid organizerId)
    {
        if (!caller.Administers(organizerId))
        {
            throw PaymentsProblems.OrganizerNotFound();
        }
    }

    /// <summary>Keeps the gateway's new account; a concurrent first request may have kept the same one already.</summary>
    private static async Task<OrganizerAccount> RecordAccountAsync(PaymentsDbContext db, Guid organizerId, string gatewayName, GatewayAccount created, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var account = new OrganizerAccount
        {
            OrganizerId = organizerId,
            Gateway = gatewayName,
            AccountId = created.Id,
            DetailsSubmitted = created.DetailsSubmitted,
            ChargesEnabled = created.ChargesEnabled,
            PayoutsEnabled = created.PayoutsEnabled,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.OrganizerAccounts.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return account;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return await db.OrganizerAccounts.AsNoTracking().SingleAsync(a => a.OrganizerId == organizerId, cancellationToken);
        }
    }
}
