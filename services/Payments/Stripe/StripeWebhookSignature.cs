using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Payments.Stripe;

/// <summary>The outcome of checking a webhook's <c>Stripe-Signature</c> header.</summary>
public enum StripeSignatureCheck
{
    Valid,
    MissingHeader,

    /// <summary>No usable <c>t=</c> timestamp, or an element that is not <c>name=value</c>.</summary>
    Malformed,

    /// <summary>Only other schemes (test mode's unverifiable <c>v0</c>, say), no <c>v1</c>.</summary>
    NoV1Signature,

    /// <summary>No <c>v1</c> matches under any secret: a forged or altered body, or the wrong endpoint secret.</summary>
    SignatureMismatch,

    /// <summary>Signed correctly, but too long ago or too far in the future: possibly a replay.</summary>
    TimestampOutsideTolerance,
}

/// <summary>
/// Stripe's webhook signatures: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=...]</c>, where v1 is the
/// lowercase hex HMAC-SHA256 of <c>"{t}.{raw body}"</c> keyed with the whole endpoint secret (<c>whsec_...</c>).
/// </summary>
public static class StripeWebhookSignature
{
    public const string HeaderName = "Stripe-Signature";

    /// <summary>Stripe's SDKs' default: five minutes either way.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    /// <summary>The header Stripe would send for this body; for tests and the simulated gateway.</summary>
    public static string Sign(ReadOnlySpan<byte> payload, string secret, DateTimeOffset timestamp)
    {
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(Compute(payload, t, secret))}";
    }

    /// <summary>
    /// Checks <paramref name="header"/> against the request body exactly as received (re-serialized JSON would not match)
    /// under every endpoint secret currently valid (more than one while a secret is being rolled), and that it was signed
    /// within <paramref name="tolerance"/> (default <see cref="DefaultTolerance"/>) of <paramref name="now"/>.
    /// </summary>
    public static StripeSignatureCheck Verify(ReadOnlySpan<byte> payload, string? header, IReadOnlyCollection<string> secrets, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (secrets.Count == 0 || secrets.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("At least one webhook secret is needed, and none may be empty.", nameof(secrets));
        }

        if (string.IsNullOrWhiteSpace(header))
        {
            return StripeSignatureCheck.MissingHeader;
        }

        if (!TryParse(header, out var t, out var signatures))
        {
            return StripeSignatureCheck.Malformed;
        }

        if (signatures.Count == 0)
        {
            return StripeSignatureCheck.NoV1Signature;
        }

        var matched = false;
        foreach (var secret in secrets)
        {
            var expected = Compute(payload, t, secret);
            foreach (var signature in signatures)
            {
                // FixedTimeEquals: how many leading bytes matched must not show in the time taken.
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }

        if (!matched)
        {
            return StripeSignatureCheck.SignatureMismatch;
        }

        var signedAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(t, CultureInfo.InvariantCulture));
        return (now - signedAt).Duration() <= (tolerance ?? DefaultTolerance)
            ? StripeSignatureCheck.Valid
            : StripeSignatureCheck.TimestampOutsideTolerance;
    }

    public static StripeSignatureCheck Verify(ReadOnlySpan<byte> payload, string? header, string secret, DateTimeOffset now, TimeSpan? tolerance = null) =>
        Verify(payload, header, [secret], now, tolerance);

    private static byte[] Compute(ReadOnlySpan<byte> payload, string timestamp, string secret)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
    }

    private static bool TryParse(string header, out string timestamp, out List<byte[]> v1)
    {
        timestamp = "";
        v1 = [];
        string? t = null;
        foreach (var element in header.Split(','))
        {
            var equals = element.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var name = element[..equals].Trim();
            var value = element[(equals + 1)..].Trim();
            if (name == "t")
            {
                if (t is not null || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                {
                    return false;
                }

                t = value;
            }
            else if (name == "v1")
            {
                // A v1 that is not 64 hex digits is a signature that cannot match, not a reason to reject the others.
                v1.Add(value.Length == 64 && value.All(char.IsAsciiHexDigit) ? Convert.FromHexString(value) : []);
            }

            // Other schemes (v0) are ignored on purpose: they cannot be verified.
        }

        if (t is null)
        {
            return false;
        }

        timestamp = t;
        return true;
    }
}
