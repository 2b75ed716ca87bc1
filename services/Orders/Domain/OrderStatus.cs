using System.Security.Cryptography;

namespace TicketToken.Orders.Domain;

/// <summary>
/// An order's life: <c>pending_payment</c> until the gateway answers; <c>paid</c> while its seats are committed and its
/// tickets issued; then <c>confirmed</c>. It ends <c>failed</c> (declined, or it could not complete and was refunded),
/// <c>expired</c> (no payment before the hold ran out) or <c>cancelled</c> (by the fan before paying). A confirmed
/// order may become <c>partially_refunded</c> or <c>refunded</c>.
/// </summary>
public static class OrderStatuses
{
    public const string PendingPayment = "pending_payment";
    public const string Paid = "paid";
    public const string Confirmed = "confirmed";
    public const string Failed = "failed";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
    public const string Refunded = "refunded";
    public const string PartiallyRefunded = "partially_refunded";

    public static bool IsFinal(string status) => status is Failed or Expired or Cancelled or Refunded;
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
