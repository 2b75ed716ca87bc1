namespace TicketToken.Payments.Stripe;

/// <summary><c>POST /v1/payment_intents</c>.</summary>
public sealed record CreatePaymentIntent
{
    /// <summary>In the currency's smallest unit (cents); at least about 0.50 USD.</summary>
    public required long Amount { get; init; }

    /// <summary>Lowercase ISO 4217, e.g. <c>usd</c>.</summary>
    public required string Currency { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary><c>automatic_payment_methods[enabled]</c>; null leaves Stripe's default (enabled since 2023-08-16).</summary>
    public bool? AutomaticPaymentMethods { get; init; }

    /// <summary>Ties the payment to the transfers that later pay organizers out (separate charges and transfers).</summary>
    public string? TransferGroup { get; init; }

    /// <summary>The platform's fee on a destination charge.</summary>
    public long? ApplicationFeeAmount { get; init; }

    /// <summary><c>transfer_data[destination]</c>: make this a destination charge to the connected account (acct_...).</summary>
    public string? TransferDestination { get; init; }
}

/// <summary><c>POST /v1/refunds</c> for a PaymentIntent.</summary>
public sealed record CreateRefund
{
    public required string PaymentIntent { get; init; }

    /// <summary>Less than the amount paid for a partial refund; null refunds what remains.</summary>
    public long? Amount { get; init; }

    /// <summary>duplicate, fraudulent or requested_by_customer.</summary>
    public string? Reason { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary><c>POST /v1/accounts</c> with <c>type=express</c>, requesting the card_payments and transfers capabilities.</summary>
public sealed record CreateExpressAccount
{
    /// <summary>ISO 3166-1 alpha-2, e.g. <c>US</c>.</summary>
    public required string Country { get; init; }

    public string? Email { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary><c>POST /v1/transfers</c>: move funds from the platform's balance to a connected account.</summary>
public sealed record CreateTransfer
{
    public required long Amount { get; init; }
    public required string Currency { get; init; }

    /// <summary>The connected account (acct_...).</summary>
    public required string Destination { get; init; }

    public string? TransferGroup { get; init; }

    /// <summary>The charge (ch_...) whose funds this transfer spends, so it can be made before they are available.</summary>
    public string? SourceTransaction { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
