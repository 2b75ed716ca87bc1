using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Apis;

/// <summary>
/// What Stripe.js and Stripe's hosted pages do for the fan and the organizer, for the simulated gateway only (mapped
/// only when it is the configured gateway): confirming a payment with a test card, the 3-D Secure challenge, and
/// finishing Connect onboarding. Every outcome also arrives as a signed webhook, exactly as from Stripe.
/// </summary>
public static class SimulatedGatewayApi
{
    public static RouteGroupBuilder MapSimulatedGatewayApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments/simulated").WithTags("Simulated gateway");
        group.MapPost("/payment-intents/{intentId}/confirm", ConfirmIntent).WithName("ConfirmSimulatedPaymentIntent")
            .WithSummary("Pays the caller's payment intent with a Stripe test card: 4242424242424242 succeeds, 4000000000000002 is declined, "
                + "4000000000009995 has insufficient funds, 4000002500003155 asks for 3-D Secure.")
            .RequireAuthorization(Policies.Fan);
        group.MapPost("/payment-intents/{intentId}/authenticate", AuthenticateIntent).WithName("AuthenticateSimulatedPaymentIntent")
            .WithSummary("Completes the 3-D Secure challenge of a payment intent in requires_action: approve or fail.")
            .RequireAuthorization(Policies.Fan);
        group.MapPost("/accounts/{accountId}/onboarding", CompleteOnboarding).WithName("CompleteSimulatedOnboarding")
            .WithSummary("Finishes Connect onboarding of an organizer's connected account (the page the onboarding link leads to).")
            .RequireAuthorization(Policies.OrganizerAdmin);
        return group;
    }

    public sealed record ConfirmIntentRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string ClientSecret,
        [property: Required, StringLength(30, MinimumLength = 12)] string CardNumber);

    public sealed record AuthenticateIntentRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string ClientSecret,
        [property: Required, AllowedValues("approve", "fail")] string Outcome);

    /// <summary>The intent as the fan's browser sees it: succeeded, or requires_action for 3-D Secure.</summary>
    public sealed record IntentResponse(string Id, string Status, long Amount, string Currency);

    public sealed record AccountResponse(string AccountId, bool DetailsSubmitted, bool PayoutsEnabled);

    private static Task<Results<Ok<IntentResponse>, ProblemHttpResult>> ConfirmIntent(string intentId, ConfirmIntentRequest request, Caller caller,
        SimulatedGateway gateway, CancellationToken cancellationToken) =>
        AnswerAsync(() => gateway.ConfirmAsync(intentId, request.ClientSecret, request.CardNumber, caller.RequiredUserId, cancellationToken));

    private static Task<Results<Ok<IntentResponse>, ProblemHttpResult>> AuthenticateIntent(string intentId, AuthenticateIntentRequest request, Caller caller,
        SimulatedGateway gateway, CancellationToken cancellationToken) =>
        AnswerAsync(() => gateway.AuthenticateAsync(intentId, request.ClientSecret, request.Outcome == "approve", caller.RequiredUserId, cancellationToken));

    private static async Task<Ok<AccountResponse>> CompleteOnboarding(string accountId, Caller caller, SimulatedGateway gateway, CancellationToken cancellationToken)
    {
        StripeAccount account;
        try
        {
            account = await gateway.GetConnectAccountAsync(accountId, cancellationToken);
        }
        catch (StripeException)
        {
            throw PaymentsProblems.AccountNotFound();
        }

        if (PaymentMetadata.Id(account.Metadata, PaymentMetadata.OrganizerId) is not { } organizerId || !caller.Administers(organizerId))
        {
            throw PaymentsProblems.AccountNotFound();
        }

        account = await gateway.CompleteOnboardingAsync(accountId, cancellationToken);
        return TypedResults.Ok(new AccountResponse(account.Id, account.DetailsSubmitted, account.PayoutsEnabled));
    }

    private static async Task<Results<Ok<IntentResponse>, ProblemHttpResult>> AnswerAsync(Func<Task<StripePaymentIntent>> step)
    {
        StripePaymentIntent intent;
        try
        {
            intent = await step();
        }
        catch (SimulatedIntentException e)
        {
            throw e.Failure == SimulatedIntentFailure.NotFound ? PaymentsProblems.PaymentIntentNotFound() : PaymentsProblems.UnexpectedIntentState(e.Message);
        }
        catch (StripeException e) when (e.Error.Code == "resource_missing")
        {
            throw PaymentsProblems.PaymentIntentNotFound();
        }

        // Stripe answers a declined confirmation with a 402 card_error; the intent keeps the error as last_payment_error.
        if (intent is { Status: PaymentStatuses.RequiresPaymentMethod, LastPaymentError: { } error })
        {
            return PaymentsProblems.CardDeclined(error);
        }

        return TypedResults.Ok(new IntentResponse(intent.Id, intent.Status, intent.Amount, intent.Currency));
    }
}
