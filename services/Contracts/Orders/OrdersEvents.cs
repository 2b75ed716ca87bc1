namespace TicketToken.Contracts.Orders;

/// <summary>
/// What an order's money is made of, in minor units of the order's currency. <see cref="Total"/> =
/// <see cref="FaceValue"/> - <see cref="Discount"/> + <see cref="Fees"/> + <see cref="Tax"/>: the discount comes out of
/// the face value (the organizer's share); <see cref="Fees"/> are the platform's (service, per-ticket and processing
/// pass-through); <see cref="Tax"/> is owed to the venue's jurisdiction.
/// </summary>
public sealed record OrderAmounts(long FaceValue, long Discount, long Fees, long Tax, long Total);

/// <summary>
/// An order was paid, its seats sold and its tickets issued (topic <see cref="Topic"/>). The ledger posts the sale
/// from it: the buyer's payment, the processor's fee, the platform's revenue and what is owed to the organizer.
/// <see cref="PaymentMethod"/>: null for a payment through the gateway; <see cref="CounterPaymentMethods.Cash"/> or
/// <see cref="CounterPaymentMethods.CardPresent"/> for a box-office sale, whose money the organizer took at its own counter.
/// <see cref="MailTo"/>: the address a box-office clerk typed for the tickets, instead of the buyer's account; <see cref="WillCall"/>:
/// the tickets wait at the box office for their holder and have no code until released there.
/// </summary>
public sealed record OrderConfirmed(Guid OrderId, string OrderNumber, Guid BuyerId, Guid OrganizerId, Guid EventId, string Currency,
    OrderAmounts Amounts, long ProcessorFee, string PaymentIntentId, DateTimeOffset ConfirmedAt, string? PaymentMethod = null, string? MailTo = null,
    bool WillCall = false)
{
    public const string Topic = "orders.order-confirmed";
}

/// <summary>
/// Money went back to the buyer of a confirmed order (topic <see cref="Topic"/>): <see cref="Amounts"/> is the refunded
/// part, split the same way as the sale, so the ledger reverses exactly that.
/// </summary>
public sealed record OrderRefunded(Guid OrderId, string OrderNumber, Guid RefundId, Guid OrganizerId, Guid EventId, string Currency,
    OrderAmounts Amounts, DateTimeOffset RefundedAt)
{
    public const string Topic = "orders.order-refunded";
}

/// <summary>
/// An order ended without becoming a sale (topic <see cref="Topic"/>): <see cref="Status"/> is failed, expired or
/// cancelled, and <see cref="Code"/> says why (e.g. card_declined, payment_not_received); for notifications.
/// </summary>
public sealed record OrderEnded(Guid OrderId, string OrderNumber, Guid BuyerId, Guid EventId, string Status, string? Code, DateTimeOffset EndedAt)
{
    public const string Topic = "orders.order-ended";
}

/// <summary>A fan checked out a hold (topic <see cref="Topic"/>); orders itself starts the purchase from it if the checkout's own start was lost.</summary>
/// <see cref="PaymentMethod"/> is set for a box-office sale, paid at the counter: its purchase makes no payment intent.
public sealed record OrderPlaced(Guid OrderId, string OrderNumber, Guid BuyerId, Guid EventId, long Total, string Currency, DateTimeOffset PayBy, DateTimeOffset PlacedAt,
    string? PaymentMethod = null)
{
    public const string Topic = "orders.order-placed";
}

/// <summary>How a box-office sale was paid: the money went to the organizer's till or card terminal, never through the platform's gateway.</summary>
public static class CounterPaymentMethods
{
    public const string Cash = "cash";

    /// <summary>A card read by the organizer's own terminal at the counter (or keyed into it for a phone sale); the terminal's reference is kept.</summary>
    public const string CardPresent = "card_present";

    public static readonly IReadOnlyList<string> All = [Cash, CardPresent];
}
