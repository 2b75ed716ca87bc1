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
/// </summary>
public sealed record OrderConfirmed(Guid OrderId, string OrderNumber, Guid BuyerId, Guid OrganizerId, Guid EventId, string Currency,
    OrderAmounts Amounts, long ProcessorFee, string PaymentIntentId, DateTimeOffset ConfirmedAt)
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
