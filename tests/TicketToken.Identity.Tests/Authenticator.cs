using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace TicketToken.Identity.Tests;

/// <summary>
/// What an authenticator app on a phone does, written from RFC 6238 and RFC 4226 independently of the module:
/// HMAC-SHA1 over the 30-second step counter, dynamic truncation, the last <c>digits</c> digits.
/// </summary>
public static class Authenticator
{
    public const int StepSeconds = 30;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    public static long CurrentStep => StepAt(DateTimeOffset.UtcNow);

    public static string Code(byte[] secret, long step, int digits = 6)
    {
        var counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238's default algorithm, the one under test
        var hash = HMACSHA1.HashData(secret, counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulus = (int)Math.Pow(10, digits);
        return (binary % modulus).ToString(new string('0', digits), CultureInfo.InvariantCulture);
    }

    /// <summary>A six-digit code that matches none of the steps the server accepts now (the previous, current and next).</summary>
    public static string WrongCode(byte[] secret)
    {
        var step = CurrentStep;
        var accepted = Enumerable.Range(-2, 5).Select(d => Code(secret, step + d)).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", CultureInfo.InvariantCulture)).First(c => !accepted.Contains(c));
    }

    /// <summary>RFC 4648 base32, as the enrolment answer and the otpauth URI carry the secret.</summary>
    public static byte[] DecodeBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = string.Concat(text.TrimEnd('=').Select(c =>
            Convert.ToString(alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal) is var v and >= 0 ? v : throw new FormatException($"'{c}' is not base32"), 2).PadLeft(5, '0')));
        return [.. Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2))];
    }
}
