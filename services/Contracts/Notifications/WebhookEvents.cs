namespace TicketToken.Contracts.Notifications;

/// <summary>
/// The event types organizers can subscribe their webhook endpoints to, and the topic each is made from. A delivery's body is
/// <c>{"id", "type", "created" (Unix seconds), "organizerId", "data"}</c>, where <c>data</c> is the topic's event as published; it is
/// signed in the <c>TicketToken-Signature</c> header as <c>t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}" under the endpoint's
/// secret}</c> (one <c>v1</c> per secret in use while a rotation overlaps). docs/operations.md has a receiver's check.
/// </summary>
public static class WebhookEventTypes
{
    public const string OrderConfirmed = "order.confirmed";
    public const string OrderRefunded = "order.refunded";
    public const string TicketIssued = "ticket.issued";
    public const string TicketTransferred = "ticket.transferred";
    public const string TicketCheckedIn = "ticket.checked_in";
    public const string EventCancelled = "event.cancelled";
    public const string PayoutPaid = "payout.paid";

    /// <summary>Sent by the test ping only; endpoints need not subscribe to it.</summary>
    public const string Ping = "ping";

    /// <summary>Every type an endpoint can subscribe to.</summary>
    public static readonly IReadOnlyList<string> All = [OrderConfirmed, OrderRefunded, TicketIssued, TicketTransferred, TicketCheckedIn, EventCancelled, PayoutPaid];

    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = "TicketToken-Signature";
}
