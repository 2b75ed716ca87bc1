using System.Net;
using System.Text.Json;

namespace TicketToken.Payments.Stripe;

/// <summary>What a caller can do about a failed Stripe call.</summary>
public enum StripeErrorKind
{
    /// <summary>The card or payment method was declined (<c>card_error</c>): tell the fan, let them try another.</summary>
    CardDeclined,

    /// <summary>Stripe refused the request as sent (400, 404, <c>idempotency_error</c>, ...): our bug or bad data; retrying the same request will not help.</summary>
    InvalidRequest,

    /// <summary>401 or 403: the key is wrong or lacks a permission; an operator has to act.</summary>
    Authentication,

    /// <summary>Network failure, 409 (same idempotency key in flight), 429 or 5xx after our own retries: try again later with the same idempotency key.</summary>
    RetryLater,
}

/// <summary>A Stripe call failed: Stripe answered with an error, or it could not be reached.</summary>
public sealed class StripeException : Exception
{
    public StripeException(string message, StripeErrorKind kind, HttpStatusCode? status = null, StripeError? error = null, string? requestId = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Status = status;
        Error = error ?? new StripeError();
        RequestId = requestId;
    }

    public StripeErrorKind Kind { get; }

    /// <summary>The HTTP status of Stripe's answer; null when no answer came (network failure).</summary>
    public HttpStatusCode? Status { get; }

    public StripeError Error { get; }

    /// <summary>Stripe's <c>Request-Id</c> header (req_...), what Stripe support asks for.</summary>
    public string? RequestId { get; }

    public string? Type => Error.Type;
    public string? Code => Error.Code;
    public string? DeclineCode => Error.DeclineCode;
    public string? Param => Error.Param;

    public bool IsRetryable => Kind == StripeErrorKind.RetryLater;

    internal static async Task<StripeException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        StripeError? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ErrorBody>(body, StripeJson.Options)?.Error;
        }
        catch (JsonException)
        {
            // Not Stripe's JSON (a proxy's error page, say): the status still says what kind of failure it is.
        }

        var requestId = response.Headers.TryGetValues("Request-Id", out var values) ? values.FirstOrDefault() : null;
        var kind = KindOf(response.StatusCode, error?.Type);
        var message = $"Stripe answered {(int)response.StatusCode} {error?.Type ?? response.ReasonPhrase}"
            + (error?.Code is { } code ? $" ({code}{(error.DeclineCode is { } decline ? "/" + decline : "")})" : "")
            + (error?.Message is { } text ? $": {text}" : "")
            + (requestId is null ? "" : $" [{requestId}]");
        return new StripeException(message, kind, response.StatusCode, error, requestId);
    }

    internal static StripeErrorKind KindOf(HttpStatusCode status, string? type) => (int)status switch
    {
        _ when type == "card_error" => StripeErrorKind.CardDeclined,
        _ when type == "idempotency_error" => StripeErrorKind.InvalidRequest,
        401 or 403 => StripeErrorKind.Authentication,
        409 or 429 or >= 500 => StripeErrorKind.RetryLater,
        _ => StripeErrorKind.InvalidRequest,
    };

    private sealed record ErrorBody(StripeError? Error);
}
