using System.Text.Json.Serialization;

namespace TicketToken.Payments.Stripe;

// The parts of Stripe's objects the payments module reads; Stripe sends many more fields, which are ignored.
// Amounts are in the currency's smallest unit; currencies are lowercase ISO 4217.

public sealed record StripePaymentIntent
{
    public required string Id { get; init; }
    [JsonPropertyName("object")]
    public required string ObjectType { get; init; }
    public long Amount { get; init; }
    public required string Currency { get; init; }

    /// <summary>requires_payment_method, requires_confirmation, requires_action, processing, requires_capture, canceled or succeeded.</summary>
    public required string Status { get; init; }

    /// <summary>Handed to the fan's browser to confirm the payment there; never log it.</summary>
    public string? ClientSecret { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Why the last confirmation failed (same shape as an API error), e.g. a card_error with a decline_code.</summary>
    public StripeError? LastPaymentError { get; init; }

    public string? LatestCharge { get; init; }
    public string? CancellationReason { get; init; }
    public string? TransferGroup { get; init; }
    public DateTimeOffset Created { get; init; }
    public bool Livemode { get; init; }
}

public sealed record StripeRefund
{
    public required string Id { get; init; }
    [JsonPropertyName("object")]
    public required string ObjectType { get; init; }
    public long Amount { get; init; }
    public required string Currency { get; init; }

    /// <summary>pending, succeeded or failed for cards; requires_action or canceled for some other methods.</summary>
    public required string Status { get; init; }

    public string? PaymentIntent { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
}

/// <summary>A Connect account (an organizer's). Charges and payouts are enabled only once Stripe has what it needs.</summary>
public sealed record StripeAccount
{
    public required string Id { get; init; }
    [JsonPropertyName("object")]
    public required string ObjectType { get; init; }
    public bool ChargesEnabled { get; init; }
    public bool PayoutsEnabled { get; init; }
    public bool DetailsSubmitted { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A single-use onboarding URL; when it has expired Stripe sends the organizer to the refresh URL for a new one.</summary>
public sealed record StripeAccountLink
{
    [JsonPropertyName("object")]
    public required string ObjectType { get; init; }
    public required Uri Url { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

public sealed record StripeTransfer
{
    public required string Id { get; init; }
    [JsonPropertyName("object")]
    public required string ObjectType { get; init; }
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Destination { get; init; }
    public string? TransferGroup { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
}

/// <summary>Stripe's error object, from an error answer or from a PaymentIntent's <c>last_payment_error</c>.</summary>
public sealed record StripeError
{
    /// <summary>api_error, card_error, idempotency_error or invalid_request_error.</summary>
    public string? Type { get; init; }

    /// <summary>e.g. card_declined, resource_missing, parameter_missing.</summary>
    public string? Code { get; init; }

    /// <summary>For card declines: generic_decline, insufficient_funds, lost_card, ...</summary>
    public string? DeclineCode { get; init; }

    /// <summary>The parameter that was wrong, for invalid_request_error.</summary>
    public string? Param { get; init; }

    public string? Message { get; init; }
}
