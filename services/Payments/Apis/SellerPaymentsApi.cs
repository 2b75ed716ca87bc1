using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;
using TicketToken.Payments.Simulated;

namespace TicketToken.Payments.Apis;

/// <summary>
/// A fan as a reseller: their connected account (Stripe Connect express, onboarded like an organizer's) and the payouts
/// of their resales. Only the caller's own: every route is under <c>/sellers/me</c>.
/// </summary>
public static class SellerPaymentsApi
{
    public static RouteGroupBuilder MapSellerPaymentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments/sellers/me").WithTags("Seller payments").RequireAuthorization(Policies.Fan);
        group.MapPost("/connect", StartOnboarding).WithName("StartSellerOnboarding")
            .WithSummary("Creates the caller's seller account if needed and answers a fresh single-use onboarding link; resales can be listed once it is enabled.")
            .Problems(() => PaymentsProblems.GatewayRefused("a b"), PaymentsProblems.GatewayUnavailable, () => PaymentsProblems.InvalidCountry("a b"));
        group.MapGet("/connect", GetStatus).WithName("GetSellerConnectStatus")
            .WithSummary("Where the caller's seller account stands: not_started, onboarding or enabled (payouts possible).")
            .Problems(() => PaymentsProblems.GatewayRefused("a b"), PaymentsProblems.GatewayUnavailable);
        group.MapGet("/payouts", ListPayouts).WithName("ListSellerPayouts")
            .WithSummary("The seller's shares of their resales: held in escrow until due (after the event), then paid out; newest first.");
        return group;
    }

    /// <summary>The simulated gateway's onboarding page for a seller's account (the organizers' one is for their admins).</summary>
    public static void MapSimulatedSellerOnboarding(this IEndpointRouteBuilder app) =>
        app.MapPost(SimulatedGatewayPaths.Prefix + "/seller-accounts/{accountId}/onboarding", CompleteSimulatedOnboarding).WithTags("Simulated gateway")
            .WithName("CompleteSimulatedSellerOnboarding").WithSummary("Finishes Connect onboarding of the caller's seller account (the page the onboarding link leads to).")
            .RequireAuthorization(Policies.Fan);

    /// <summary>Optional: the account's country (ISO 3166-1 alpha-2, default from configuration) and e-mail.</summary>
    public sealed record SellerConnectRequest([property: StringLength(2, MinimumLength = 2)] string? Country, [property: EmailAddress, StringLength(254)] string? Email);

    public sealed record SellerOnboardingResponse(string AccountId, Uri OnboardingUrl, DateTimeOffset ExpiresAt);

    /// <summary>One resale's share for its seller; <c>status</c>: scheduled (in escrow until <c>dueAt</c>), withheld (event cancelled, buyer refunded), pending (being transferred), paid or failed.</summary>
    public sealed record SellerPayoutResponse(Guid ResaleId, Guid SellerId, Guid EventId, string Currency, long Amount, string Status, DateTimeOffset DueAt, string? TransferId,
        string? FailureMessage, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    internal static SellerPayoutResponse ToResponse(SellerPayout p) =>
        new(p.ResaleId, p.SellerId, p.EventId, p.Currency, p.Amount, p.Status, p.DueAt, p.TransferId, p.FailureMessage, p.CreatedAt, p.CompletedAt);

    public sealed record SellerPayoutsResponse(IReadOnlyList<SellerPayoutResponse> Items);

    private static async Task<Ok<SellerOnboardingResponse>> StartOnboarding(SellerConnectRequest? request, Caller caller, PaymentsDbContext db, IPaymentGateway gateway,
        IOptions<PaymentsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = caller.RequiredUserId;
        var connect = options.Value.Connect;
        var country = (request?.Country ?? connect.DefaultCountry).ToUpperInvariant();
        if (!country.All(char.IsAsciiLetterUpper))
        {
            throw PaymentsProblems.InvalidCountry(country);
        }

        try
        {
            var account = await db.SellerAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
            if (account is null)
            {
                var created = await gateway.CreateConnectAccountAsync(new NewAccount(country, request?.Email,
                    new Dictionary<string, string> { [PaymentMetadata.SellerId] = userId.ToString() }), $"seller-connect:{userId}", cancellationToken);
                account = await SellerConnect.RecordAsync(db, userId, gateway.Name, created, time.GetUtcNow(), cancellationToken);
            }

            var link = await gateway.CreateOnboardingLinkAsync(account.AccountId, connect.RefreshUrl, connect.ReturnUrl, cancellationToken);
            return TypedResults.Ok(new SellerOnboardingResponse(account.AccountId, link.Url, link.ExpiresAt));
        }
        catch (GatewayException e)
        {
            throw PaymentsProblems.Gateway(e);
        }
    }

    private static async Task<Ok<SellerAccountView>> GetStatus(Caller caller, PaymentsDbContext db, IPaymentGateway gateway, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var userId = caller.RequiredUserId;
        var account = await db.SellerAccounts.SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        if (account is null)
        {
            return TypedResults.Ok(new SellerAccountView(userId, "not_started", null, false));
        }

        if (!account.PayoutsEnabled)
        {
            try
            {
                await SellerConnect.RefreshAsync(db, gateway, account, time.GetUtcNow(), cancellationToken);
            }
            catch (GatewayException e)
            {
                throw PaymentsProblems.Gateway(e);
            }
        }

        return TypedResults.Ok(SellerConnect.View(account));
    }

    private static async Task<Ok<SellerPayoutsResponse>> ListPayouts(Caller caller, PaymentsDbContext db, CancellationToken cancellationToken)
    {
        var userId = caller.RequiredUserId;
        var rows = await db.SellerPayouts.AsNoTracking().Where(p => p.SellerId == userId).OrderByDescending(p => p.CreatedAt).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SellerPayoutsResponse([.. rows.Select(ToResponse)]));
    }

    private static async Task<Ok<SellerAccountView>> CompleteSimulatedOnboarding(string accountId, Caller caller, SimulatedStripe stripe, PaymentsDbContext db,
        CancellationToken cancellationToken)
    {
        var account = await SimulatedStripe.FindAccountAsync(db, accountId, cancellationToken);
        if (account is null || PaymentMetadata.Id(account.Metadata, PaymentMetadata.SellerId) != caller.RequiredUserId)
        {
            throw PaymentsProblems.AccountNotFound();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var completed = await stripe.CompleteOnboardingAsync(db, accountId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new SellerAccountView(caller.RequiredUserId, completed.PayoutsEnabled ? "enabled" : "onboarding", completed.Id, completed.PayoutsEnabled));
    }
}

/// <summary>Recording and refreshing a seller's connected account, shared by the API and the actor.</summary>
internal static class SellerConnect
{
    public static SellerAccountView View(SellerAccount account) =>
        new(account.UserId, account.PayoutsEnabled ? "enabled" : "onboarding", account.AccountId, account.PayoutsEnabled);

    public static async Task RefreshAsync(PaymentsDbContext db, IPaymentGateway gateway, SellerAccount account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = await gateway.GetConnectAccountAsync(account.AccountId, cancellationToken);
        if (current.PayoutsEnabled != account.PayoutsEnabled || current.DetailsSubmitted != account.DetailsSubmitted)
        {
            account.DetailsSubmitted = current.DetailsSubmitted;
            account.PayoutsEnabled = current.PayoutsEnabled;
            account.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Keeps the gateway's new account; a concurrent first request may have kept the same one already.</summary>
    public static async Task<SellerAccount> RecordAsync(PaymentsDbContext db, Guid userId, string gatewayName, GatewayAccount created, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var account = new SellerAccount
        {
            UserId = userId, Gateway = gatewayName, AccountId = created.Id, DetailsSubmitted = created.DetailsSubmitted, PayoutsEnabled = created.PayoutsEnabled,
            CreatedAt = now, UpdatedAt = now,
        };
        db.SellerAccounts.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return account;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return await db.SellerAccounts.AsNoTracking().SingleAsync(a => a.UserId == userId, cancellationToken);
        }
    }
}
