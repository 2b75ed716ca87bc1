using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Simulated;

namespace TicketToken.Payments.Apis;

/// <summary>
/// What Stripe.js and Stripe's hosted pages do for the fan and the organizer, for the simulated gateway only (mapped
/// only when it is the configured gateway): confirming a payment with a test card, the 3-D Secure page, and finishing
/// Connect onboarding. Every outcome also arrives as a signed webhook, exactly as from Stripe.
/// </summary>
public static class SimulatedGatewayApi
{
    public static RouteGroupBuilder MapSimulatedGatewayApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(SimulatedGatewayPaths.Prefix).WithTags("Simulated gateway");
        group.MapPost("/payment-intents/{intentId}/confirm", ConfirmIntent).WithName("ConfirmSimulatedPaymentIntent")
            .WithSummary("Pays the caller's payment intent with a Stripe test card: 4242424242424242 succeeds, 4000000000000002 is declined, "
                + "4000000000009995 has insufficient funds, 4000002500003155 asks for 3-D Secure. A declined intent can be confirmed again with another card.")
            .RequireAuthorization(Policies.Fan)
            .Problems(PaymentsProblems.PaymentIntentNotFound, () => PaymentsProblems.CardDeclined("card_declined", null, ""), () => PaymentsProblems.UnexpectedIntentState(""));
        group.MapPost("/payment-intents/{intentId}/authenticate", AuthenticateIntent).WithName("AuthenticateSimulatedPaymentIntent")
            .WithSummary("The 3-D Secure page of a payment intent in requires_action: approve (it succeeds) or fail (the fan abandons it: payment_failed, another card may be tried).")
            .RequireAuthorization(Policies.Fan)
            .Problems(PaymentsProblems.PaymentIntentNotFound, () => PaymentsProblems.UnexpectedIntentState(""));
        group.MapPost("/accounts/{accountId}/onboarding", CompleteOnboarding).WithName("CompleteSimulatedOnboarding")
            .WithSummary("Finishes Connect onboarding of an organizer's connected account (the page the onboarding link leads to).")
            .RequireAuthorization(Policies.OrganizerAdmin)
            .Problems(PaymentsProblems.AccountNotFound);
        return group;
    }

    public sealed record ConfirmIntentRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string ClientSecret,
        [property: Required, StringLength(30, MinimumLength = 12)] string CardNumber);

    public sealed record AuthenticateIntentRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string ClientSecret,
        [property: Required, AllowedValues("approve", "fail")] string Outcome);

    /// <summary>The intent as the fan's browser sees it: succeeded, or requires_action with the 3-D Secure page to open.</summary>
    public sealed record IntentResponse(string Id, string Status, long Amount, string Currency, string? AuthenticationUrl);

    public sealed record AccountResponse(string AccountId, bool DetailsSubmitted, bool PayoutsEnabled);

    private static async Task<Ok<IntentResponse>> ConfirmIntent(string intentId, ConfirmIntentRequest request, Caller caller,
        SimulatedStripe stripe, PaymentsDbContext db, CancellationToken cancellationToken)
    {
        await OwnIntentAsync(db, intentId, request.ClientSecret, caller, cancellationToken);
        var card = TestCards.Of(request.CardNumber);
        return Answer(await InTransactionAsync(db, () => stripe.ConfirmAsync(db, intentId, card, paymentMethod: null, returnUrl: null, idempotencyKey: null, cancellationToken),
            cancellationToken));
    }

    private static async Task<Ok<IntentResponse>> AuthenticateIntent(string intentId, AuthenticateIntentRequest request, Caller caller,
        SimulatedStripe stripe, PaymentsDbContext db, CancellationToken cancellationToken)
    {
        await OwnIntentAsync(db, intentId, request.ClientSecret, caller, cancellationToken);
        return Answer(await InTransactionAsync(db, () => stripe.AuthenticateAsync(db, intentId, request.Outcome == "approve", cancellationToken), cancellationToken));
    }

    private static async Task<Ok<AccountResponse>> CompleteOnboarding(string accountId, Caller caller, SimulatedStripe stripe, PaymentsDbContext db,
        CancellationToken cancellationToken)
    {
        var account = await SimulatedStripe.FindAccountAsync(db, accountId, cancellationToken);
        if (account is null || PaymentMetadata.Id(account.Metadata, PaymentMetadata.OrganizerId) is not { } organizerId || !caller.Administers(organizerId))
        {
            throw PaymentsProblems.AccountNotFound();
        }

        var completed = await InTransactionAsync(db, () => stripe.CompleteOnboardingAsync(db, accountId, cancellationToken), cancellationToken);
        return TypedResults.Ok(new AccountResponse(completed.Id, completed.DetailsSubmitted, completed.PayoutsEnabled));
    }

    /// <summary>Another fan's intent, a wrong client secret and an unknown id are all answered 404.</summary>
    private static async Task OwnIntentAsync(PaymentsDbContext db, string intentId, string clientSecret, Caller caller, CancellationToken cancellationToken)
    {
        if (await SimulatedStripe.FindIntentAsync(db, intentId, cancellationToken) is not { } intent || !SimulatedStripe.BelongsTo(intent, clientSecret, caller.RequiredUserId))
        {
            throw PaymentsProblems.PaymentIntentNotFound();
        }
    }

    private static async Task<T> InTransactionAsync<T>(PaymentsDbContext db, Func<Task<T>> step, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await step();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Stripe.js's view of the gateway's answer: a declined card is a 402 card_error (the intent keeps it as its
    /// last_payment_error), a step the intent's state does not allow a 409.
    /// </summary>
    private static Ok<IntentResponse> Answer(SimulatedAnswer answer)
    {
        if (answer.Body is WireIntent intent)
        {
            return TypedResults.Ok(new IntentResponse(intent.Id, intent.Status, intent.Amount, intent.Currency, intent.NextAction?.RedirectToUrl.Url));
        }

        var error = answer.Failure!;
        throw error.Code == "payment_intent_unexpected_state"
            ? PaymentsProblems.UnexpectedIntentState(error.Message)
            : PaymentsProblems.CardDeclined(error.Code ?? "card_declined", error.DeclineCode, error.Message);
    }
}
