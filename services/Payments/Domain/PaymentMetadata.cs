using TicketToken.Contracts.Payments;

namespace TicketToken.Payments.Domain;

/// <summary>
/// What our payment intents carry in Stripe's metadata: the order they pay (so a webhook finds it even before our own
/// row exists, and Stripe's dashboard shows it) and whose it is.
/// </summary>
public static class PaymentMetadata
{
    public const string OrderId = "order_id";
    public const string OrderNumber = "order_number";
    public const string BuyerId = "buyer_id";
    public const string OrganizerId = "organizer_id";
    public const string EventId = "event_id";
    public const string RefundId = "refund_id";
    public const string PayoutId = "payout_id";
    public const string ResaleId = "resale_id";

    /// <summary>On a seller's connected account and their payouts: the fan whose account it is.</summary>
    public const string SellerId = "seller_id";

    public static Dictionary<string, string> For(CreatePayment payment) => new()
    {
        [OrderId] = payment.OrderId.ToString(),
        [OrderNumber] = payment.OrderNumber,
        [BuyerId] = payment.BuyerId.ToString(),
        [OrganizerId] = payment.OrganizerId.ToString(),
        [EventId] = payment.EventId.ToString(),
    };

    public static Guid? Id(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && Guid.TryParse(value, out var id) ? id : null;
}
