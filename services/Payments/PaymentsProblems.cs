using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments;

/// <summary>Every failure of the payments API a client can act on, with its stable <c>code</c>.</summary>
internal static class PaymentsProblems
{
    // 404: another organizer's (or fan's) resource is answered exactly like one that does not exist.
    public static ProblemException OrganizerNotFound() =>
        new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException PaymentIntentNotFound() =>
        new(StatusCodes.Status404NotFound, "payment_intent_not_found", "There is no such payment of yours.", "Check the payment intent id and its client secret.");

    public static ProblemException AccountNotFound() =>
        new(StatusCodes.Status404NotFound, "account_not_found", "There is no such connected account among your organizers'.");

    // 400: the request itself is wrong.
    /// <summary>What Stripe.net's check said: no header, a malformed one, no v1 matching the body, or a timestamp outside five minutes.</summary>
    public static ProblemException InvalidSignature(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_signature", "The webhook's Stripe-Signature does not verify.", detail);

    public static ProblemException InvalidEvent(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_event", "The body is not a Stripe event.", detail);

    public static ProblemException InvalidRange() =>
        new(StatusCodes.Status400BadRequest, "invalid_range", "The report's dates do not work.", "from is on or before to, and they are at most 366 days apart.");

    public static ProblemException InvalidCountry(string country) =>
        new(StatusCodes.Status400BadRequest, "invalid_country", "The country is not an ISO 3166-1 alpha-2 code.", $"'{country}' is not one; for example DE, GB or US.");

    public static ProblemException PayloadTooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "A webhook body is at most 1 MB.");

    // 402 and 409: the request is fine, the payment's state or the card says no.
    /// <summary>Stripe's own <paramref name="code"/> and <paramref name="declineCode"/> (<c>declineCode</c> in the body), as Stripe.js shows them.</summary>
    public static ProblemException CardDeclined(string code, string? declineCode, string message) =>
        new(StatusCodes.Status402PaymentRequired, code, "The card was declined.", message)
        {
            Extensions = new Dictionary<string, object?> { ["declineCode"] = declineCode },
        };

    public static ProblemException UnexpectedIntentState(string detail) =>
        new(StatusCodes.Status409Conflict, "payment_intent_unexpected_state", "The payment cannot take this step now.", detail);

    // 502 and 503: the gateway failed us.
    public static ProblemException Gateway(GatewayException failure) => failure.IsRetryable ? GatewayUnavailable() : GatewayRefused(failure.Error.Message);

    public static ProblemException GatewayUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "gateway_unavailable", "The payment gateway did not answer; try again shortly.");

    public static ProblemException GatewayRefused(string? detail) =>
        new(StatusCodes.Status502BadGateway, "gateway_error", "The payment gateway refused the request.", detail);
}
