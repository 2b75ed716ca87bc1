namespace TicketToken.Orders;

/// <summary>Configuration of the orders module (<c>TicketToken:Orders</c>).</summary>
public sealed class OrdersOptions
{
    public const string Section = "TicketToken:Orders";

    /// <summary>What organizers without a fee schedule of their own pay: 10 % service, 1.00 per ticket, Stripe's 2.9 % + 0.30 passed through.</summary>
    public int ServiceBasisPoints { get; set; } = 1_000;
    public long PerTicketMinor { get; set; } = 100;
    public int ProcessingBasisPoints { get; set; } = 290;
    public long ProcessingFixedMinor { get; set; } = 30;

    /// <summary>Tax rates in basis points by the venue's country (ISO 3166-1 alpha-2), e.g. <c>DE: 1900</c>; a country not listed pays none.</summary>
    public Dictionary<string, int> TaxRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How long before the hold expires the payment must have arrived: time to commit the hold after the webhook.
    /// The purchase gives up on the payment at <c>hold expiry - PaymentMargin</c>.
    /// </summary>
    public TimeSpan PaymentMargin { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Fault injection for crash tests, never set in production: after this many refunds have gone through the gateway in
    /// this process, every further refund stops right after the gateway answered and before the order records it (the
    /// most delicate moment to die), so a test kills the host there deterministically instead of guessing a moment.
    /// </summary>
    public int? StallRefundsAfter { get; set; }

    /// <summary>
    /// The embedded runtime: this process is the only writer of orders (ADR 0005), so its own signals tell a waiting
    /// <c>GET /api/orders/{id}</c> of every change and it need not re-read the order on a timer (set from the runtime).
    /// </summary>
    internal bool SingleHost { get; set; }
}
