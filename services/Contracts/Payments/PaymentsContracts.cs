using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Payments;

/// <summary>Actor types of the payments module and how their ids are made.</summary>
public static class PaymentsActors
{
    public const string OrderPayment = "OrderPayment";

    public static ActorId OrderPaymentId(Guid orderId) => new(orderId.ToString("N"));
}

/// <summary>
/// One order's payment: its payment intent at the gateway (Stripe or the simulated one) and its refunds. The orders
/// module's purchase and refund workflows call it from activities; every call is idempotent, so an activity that
/// runs twice changes nothing the second time. The outcome of paying arrives later, as
/// <see cref="PaymentSucceeded"/> or <see cref="PaymentFailed"/>, from the gateway's signed webhook.
/// </summary>
public interface IOrderPaymentActor : IActor
{
    /// <summary>Creates the order's payment intent (idempotency key: the order id); the same order always gets the same intent.</summary>
    Task<PaymentView> CreateIntentAsync(CreatePayment request);

    /// <summary>
    /// Cancels the intent unless it already succeeded. The answer's <see cref="PaymentView.Status"/> says what happened:
    /// <c>canceled</c>, or <c>succeeded</c> when the money came in first (then the caller refunds instead).
    /// </summary>
    Task<PaymentView> CancelIntentAsync(CancelPayment request);

    /// <summary>Refunds part or all of a succeeded payment; idempotent per <see cref="RefundPayment.RefundId"/>.</summary>
    Task<RefundView> RefundAsync(RefundPayment request);

    Task<PaymentView?> GetAsync();
}

/// <summary>Amounts are integers in minor units of <see cref="Currency"/> (ISO 4217, lower case as Stripe writes it).</summary>
public sealed record CreatePayment(Guid OrderId, string OrderNumber, Guid BuyerId, Guid OrganizerId, Guid EventId, long Amount, string Currency, DateTimeOffset PayBy);

public sealed record CancelPayment(Guid OrderId, string Reason);

public sealed record RefundPayment(Guid OrderId, Guid RefundId, long Amount, string Reason);

/// <summary>
/// A payment as the gateway last reported it. <see cref="ClientSecret"/> is what the fan's browser confirms the
/// payment with. <see cref="Status"/> is one of <see cref="PaymentStatuses"/>.
/// </summary>
public sealed record PaymentView(Guid OrderId, string Gateway, string IntentId, string? ClientSecret, string Status, long Amount, string Currency,
    string? FailureCode, string? FailureMessage);

public static class PaymentStatuses
{
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string RequiresAction = "requires_action";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";
}

public sealed record RefundView(Guid RefundId, string GatewayRefundId, RefundState Status, long Amount, string? FailureMessage);

/// <summary>Where a refund stands. The JSON text is what histories and actor answers already hold, so old ones read back.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RefundState>))]
public enum RefundState
{
    [JsonStringEnumMemberName("pending")]
    Pending,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>
/// The gateway confirmed the order's payment, for the order's amount and currency (from its signed webhook; published
/// once per intent). A success for any other amount is never published: support reviews it.
/// </summary>
public sealed record PaymentSucceeded(Guid OrderId, string IntentId, long Amount, string Currency, long ProcessorFee, DateTimeOffset SucceededAt)
{
    public const string Topic = "payments.payment-succeeded";

    /// <summary>How many confirmations the gateway reported for the intent, this one included (declined ones before it).</summary>
    public int Attempt { get; init; }
}

/// <summary>
/// One attempt to pay the order was refused (a decline, a failed or abandoned authentication), published once per
/// attempt. As at Stripe, the intent is back in requires_payment_method: the order stays payable, with its seats held,
/// and the fan may try another card until the order's pay-by time.
/// </summary>
public sealed record PaymentFailed(Guid OrderId, string IntentId, string Code, string Message, DateTimeOffset FailedAt)
{
    public const string Topic = "payments.payment-failed";

    /// <summary>The number of this attempt among the intent's confirmations (1 for the first); a later one supersedes it.</summary>
    public int Attempt { get; init; }
}

/// <summary>
/// Money reached an organizer's connected account: the transfer of a payout succeeded (published once per payout, from
/// the transaction that recorded it). Organizers' webhooks hear of it as <c>payout.paid</c>.
/// </summary>
public sealed record PayoutPaid(Guid PayoutId, Guid OrganizerId, long Amount, string Currency, string TransferId, DateTimeOffset PaidAt)
{
    public const string Topic = "payments.payout-paid";
}
