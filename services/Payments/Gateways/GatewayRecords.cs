namespace TicketToken.Payments.Gateways;

// The module's own view of what the gateway holds. Stripe.net's types stay inside StripeGateway (and the webhook
// endpoint that parses events with it); everything else in payments reads these. Amounts are minor units;
// currencies are lowercase ISO 4217, as Stripe writes them.

/// <summary>A payment intent. <see cref="Status"/> is Stripe's: requires_payment_method, requires_action, processing, succeeded, canceled, ...</summary>
public sealed record GatewayIntent(
    string Id,
    long Amount,
    string Currency,
    string Status,
    string? ClientSecret,
    IReadOnlyDictionary<string, string> Metadata,
    GatewayError? LastError,
    string? LatestCharge,
    DateTimeOffset Created);

/// <summary>Stripe's error object: from a failed call, or an intent's <c>last_payment_error</c>.</summary>
public sealed record GatewayError(string? Type, string? Code, string? DeclineCode, string? Message)
{
    /// <summary>What the fan is told the card said: the decline code when there is one (insufficient_funds), else the code.</summary>
    public string? Reason => DeclineCode ?? Code;
}

/// <summary>A refund: <see cref="Status"/> pending, succeeded, failed (cards), or requires_action / canceled.</summary>
public sealed record GatewayRefund(string Id, long Amount, string Currency, string Status, string? PaymentIntent, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A Connect account (an organizer's): charges and payouts are enabled once Stripe has what it needs.</summary>
public sealed record GatewayAccount(string Id, bool ChargesEnabled, bool PayoutsEnabled, bool DetailsSubmitted, IReadOnlyDictionary<string, string> Metadata);

/// <summary>A single-use onboarding link; when it has expired Stripe sends the organizer to the refresh URL for a new one.</summary>
public sealed record GatewayAccountLink(Uri Url, DateTimeOffset Created, DateTimeOffset ExpiresAt);

public sealed record GatewayTransfer(string Id, long Amount, string Currency, string Destination);

/// <summary>A verified webhook event and the object it carries (one of the records above, or null for objects we do not read).</summary>
public sealed record GatewayEvent(string Id, string Type, DateTimeOffset Created, string? ApiVersion, object? DataObject);

public sealed record NewIntent(long Amount, string Currency, IReadOnlyDictionary<string, string> Metadata);

/// <summary><see cref="Amount"/> null refunds what is left; <see cref="Reason"/>: duplicate, fraudulent or requested_by_customer.</summary>
public sealed record NewRefund(string PaymentIntent, long? Amount, string Reason, IReadOnlyDictionary<string, string> Metadata);

/// <summary>An express account asking for card_payments and transfers; <see cref="Country"/> is ISO 3166-1 alpha-2.</summary>
public sealed record NewAccount(string Country, string? Email, IReadOnlyDictionary<string, string> Metadata);

public sealed record NewTransfer(long Amount, string Currency, string Destination, IReadOnlyDictionary<string, string> Metadata);

/// <summary>What a caller can do about a failed gateway call.</summary>
public enum GatewayErrorKind
{
    /// <summary>The card was declined (<c>card_error</c>): tell the fan, let them try another.</summary>
    CardDeclined,

    /// <summary>Refused as sent (400, 404, <c>idempotency_error</c>): our bug or bad data; the same request will not do better.</summary>
    InvalidRequest,

    /// <summary>401 or 403: the key is wrong or lacks a permission; an operator has to act.</summary>
    Authentication,

    /// <summary>No answer, 409, 429 or 5xx after Stripe.net's own retries: try again later with the same idempotency key.</summary>
    RetryLater,
}

/// <summary>A gateway call failed: the gateway answered with an error, or could not be reached.</summary>
public sealed class GatewayException(GatewayErrorKind kind, GatewayError error, int? status, string message, Exception? inner = null) : Exception(message, inner)
{
    public GatewayErrorKind Kind { get; } = kind;

    public GatewayError Error { get; } = error;

    /// <summary>The HTTP status of the answer; null when none came.</summary>
    public int? Status { get; } = status;

    public bool IsRetryable => Kind == GatewayErrorKind.RetryLater;

    public bool IsMissing => Error.Code == "resource_missing";
}
