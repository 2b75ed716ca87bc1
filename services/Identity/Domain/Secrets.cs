using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Identity.Domain;

/// <summary>
/// Random bearer secrets (refresh tokens, reset tokens, invitation codes, device secrets): only their SHA-256
/// is stored, so a database leak hands out nothing usable. They have 256 bits of entropy, so no slow hash is needed.
/// </summary>
public static class OpaqueToken
{
    public static string New(int bytes = 32) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A short code a person can type: ten characters from an alphabet without look-alikes, as xxxxx-xxxxx.</summary>
    public static string HumanCode()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        var chars = new char[11];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i == 5 ? '-' : alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>How a person may type a human code back: any case, with or without the dash, with stray spaces.</summary>
    public static string NormalizeHumanCode(string code)
    {
        var compact = new string([.. code.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
        return compact.Length == 10 ? compact[..5] + "-" + compact[5..] : compact;
    }
}
