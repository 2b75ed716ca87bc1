using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TicketToken.Identity.Domain;

/// <summary>Encrypts secrets the module must read back (signing keys, TOTP seeds) with AES-256-GCM under the configured key.</summary>
public sealed class SecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(IOptions<IdentityOptions> options, IHostEnvironment environment, ILogger<SecretProtector> logger)
    {
        var configured = options.Value.SecretKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length != 32)
            {
                throw new InvalidOperationException("TicketToken:Identity:SecretKey must be the base64 of exactly 32 bytes (openssl rand -base64 32).");
            }

            return;
        }

        if (environment.IsProduction())
        {
            throw new InvalidOperationException("TicketToken:Identity:SecretKey is not set. In Production it must come from a secret (openssl rand -base64 32).");
        }

        logger.LogWarning("TicketToken:Identity:SecretKey is not set: protecting signing keys and TOTP secrets with the public development key. Never do this in Production.");
        _key = SHA256.HashData(Encoding.UTF8.GetBytes("tickettoken-development-secret-key"));
    }

    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return output;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> protectedData)
    {
        var plaintext = new byte[protectedData.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(protectedData[..NonceSize], protectedData[(NonceSize + TagSize)..], protectedData.Slice(NonceSize, TagSize), plaintext);
        return plaintext;
    }
}

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
