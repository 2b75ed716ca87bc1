using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// Signs deliveries the way Stripe signs its webhooks: <c>t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}</c>, keyed with the
/// UTF-8 bytes of the endpoint's whole secret (<c>whsec_...</c>), one <c>v1</c> per secret in use. A receiver recomputes it with its
/// secret, compares in constant time, and refuses a <c>t</c> too far from its clock.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Header(DateTimeOffset at, string body, IEnumerable<string> secrets)
    {
        var t = at.ToUnixTimeSeconds();
        return $"t={t}," + string.Join(',', secrets.Select(s => "v1=" + Compute(s, t, body)));
    }

    public static string Compute(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
