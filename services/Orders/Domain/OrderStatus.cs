using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace TicketToken.Orders.Domain;

/// <summary>
/// An order's life: <c>pending_payment</c> until the gateway answers; <c>paid</c> while its seats are committed and its
/// tickets issued; then <c>confirmed</c>. It ends <c>failed</c> (declined, or it could not complete and was refunded),
/// <c>expired</c> (no payment before the hold ran out) or <c>cancelled</c> (by the fan before paying). A confirmed
/// order may become <c>partially_refunded</c> or <c>refunded</c>.
/// The member names are the text in the database, in workflow histories and in the REST answers, written before the
/// status was an enum: they must not change (see <see cref="StoredNames{TEnum}"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<OrderStatus>))]
public enum OrderStatus
{
    [JsonStringEnumMemberName("pending_payment")] PendingPayment,
    [JsonStringEnumMemberName("paid")] Paid,
    [JsonStringEnumMemberName("confirmed")] Confirmed,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("expired")] Expired,
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    [JsonStringEnumMemberName("refunded")] Refunded,
    [JsonStringEnumMemberName("partially_refunded")] PartiallyRefunded,
}

public static class OrderStatusRules
{
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Failed or OrderStatus.Expired or OrderStatus.Cancelled or OrderStatus.Refunded;
}

/// <summary>Order numbers people can read out on the phone: <c>TT-XXXX-XXXX</c> in Crockford's base 32 (no I, L, O, U), random, so they reveal no sales volume.</summary>
public static class OrderNumbers
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New()
    {
        Span<char> chars = stackalloc char[8];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return $"TT-{chars[..4]}-{chars[4..]}";
    }
}

public static class RefundStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}
