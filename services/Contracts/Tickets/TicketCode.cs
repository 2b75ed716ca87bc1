using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TicketToken.Contracts.Tickets;

/// <summary>
/// The rotating entry code of a ticket (DESIGN.md section 4, "Entry"), version 1, and the ticket secrets every version
/// is made with. Each event has a random 32-byte key; each ticket a secret derived from it, its id and its secret
/// version; the version 1 code of a time step is an HMAC of the ticket id and the step under that secret. The tickets
/// module now shows version 2 (<see cref="TotpCode"/>); the gate accepts version 1 until the tickets it was issued for
/// have expired (<see cref="EntryCodes"/> reads every form). Pure functions, nothing else.
/// </summary>
/// <remarks>
/// <para>secret = HMAC-SHA256(eventKey, "tickettoken/ticket-secret/v1" ‖ 0x00 ‖ ticketId ‖ secretVersion)</para>
/// <para>mac = first 16 bytes of HMAC-SHA256(secret, "tickettoken/ticket-code/v1" ‖ 0x00 ‖ ticketId ‖ step)</para>
/// <para>payload = <c>TT1.{base64url(ticketId)}.{step}.{base64url(mac)}</c></para>
/// ticketId is its 16 bytes in RFC 4122 (big-endian) order, secretVersion a 32-bit and step a 64-bit big-endian
/// integer; step = floor(unix seconds / stepSeconds); base64url without padding; step in decimal without leading zeros.
/// </remarks>
public static class TicketCode
{
    public const string Version = "TT1";
    public const string Algorithm = "HMAC-SHA256";
    public const string PayloadFormat = "TT1.{base64url(ticketId)}.{step}.{base64url(mac)}";
    public const string SecretLabel = "tickettoken/ticket-secret/v1";
    public const string CodeLabel = "tickettoken/ticket-code/v1";
    public const int DefaultStepSeconds = 15;

    /// <summary>A code rotates at least this often (DESIGN.md: rotation ≤ 30 s).</summary>
    public const int MaximumStepSeconds = 30;

    public const int EventKeySize = 32;
    public const int SecretSize = 32;
    public const int MacSize = 16;

    /// <summary>Longer text is not a code; nothing that long is even parsed.</summary>
    public const int MaximumLength = 80;

    private static readonly byte[] SecretLabelBytes = Encoding.ASCII.GetBytes(SecretLabel + "\0");
    private static readonly byte[] CodeLabelBytes = Encoding.ASCII.GetBytes(CodeLabel + "\0");

    /// <summary>The ticket's secret: what its codes are computed with. A new secret version makes every earlier code worthless.</summary>
    public static byte[] DeriveSecret(ReadOnlySpan<byte> eventKey, Guid ticketId, int secretVersion)
    {
        if (eventKey.Length != EventKeySize)
        {
            throw new ArgumentException($"An event key is {EventKeySize} bytes.", nameof(eventKey));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(secretVersion);
        Span<byte> message = stackalloc byte[SecretLabelBytes.Length + 16 + 4];
        SecretLabelBytes.CopyTo(message);
        ticketId.TryWriteBytes(message[SecretLabelBytes.Length..], bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(message[^4..], secretVersion);
        return HMACSHA256.HashData(eventKey, message);
    }

    /// <summary>The MAC of one time step (<see cref="MacSize"/> bytes).</summary>
    public static byte[] Compute(Guid ticketId, ReadOnlySpan<byte> secret, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Span<byte> message = stackalloc byte[CodeLabelBytes.Length + 16 + 8];
        CodeLabelBytes.CopyTo(message);
        ticketId.TryWriteBytes(message[CodeLabelBytes.Length..], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(message[^8..], step);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, message, mac);
        return mac[..MacSize].ToArray();
    }

    /// <summary>The time step <paramref name="now"/> falls in.</summary>
    public static long Step(DateTimeOffset now, int stepSeconds)
    {
        CheckStepSeconds(stepSeconds);
        var seconds = now.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(seconds, nameof(now));
        return seconds / stepSeconds;
    }

    /// <summary>When <paramref name="step"/> ends and the next code takes over.</summary>
    public static DateTimeOffset StepEndsAt(long step, int stepSeconds)
    {
        CheckStepSeconds(stepSeconds);
        return DateTimeOffset.FromUnixTimeSeconds((step + 1) * stepSeconds);
    }

    public static string Format(Guid ticketId, long step, ReadOnlySpan<byte> mac)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (mac.Length != MacSize)
        {
            throw new ArgumentException($"A code's MAC is {MacSize} bytes.", nameof(mac));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Version}.{EncodeId(ticketId)}.{step}.{Base64Url.EncodeToString(mac)}");
    }

    /// <summary>A ticket id as every code form spells it: its 16 bytes in RFC 4122 order, base64url without padding.</summary>
    public static string EncodeId(Guid ticketId)
    {
        Span<byte> id = stackalloc byte[16];
        ticketId.TryWriteBytes(id, bigEndian: true, out _);
        return Base64Url.EncodeToString(id);
    }

    /// <summary>The code to show at <paramref name="now"/>.</summary>
    public static string Current(Guid ticketId, ReadOnlySpan<byte> secret, DateTimeOffset now, int stepSeconds)
    {
        var step = Step(now, stepSeconds);
        return Format(ticketId, step, Compute(ticketId, secret, step));
    }

    /// <summary>Reads a payload in its one canonical form (what <see cref="Format"/> writes); anything else is false.</summary>
    public static bool TryParse(string? payload, out TicketCodePayload parsed)
    {
        parsed = default;
        if (payload is null || payload.Length > MaximumLength || payload.Split('.') is not [Version, var id, var stepText, var macText])
        {
            return false;
        }

        if (!Base64Url.IsValid(id, out var idLength) || idLength != 16 || !Base64Url.IsValid(macText, out var macLength) || macLength != MacSize
            || stepText.Length is 0 or > 18 || !stepText.All(char.IsAsciiDigit))
        {
            return false;
        }

        var candidate = new TicketCodePayload(new Guid(Base64Url.DecodeFromChars(id), bigEndian: true),
            long.Parse(stepText, NumberStyles.None, CultureInfo.InvariantCulture), Base64Url.DecodeFromChars(macText));
        // One code has one spelling: no leading zeros, no stray base64 bits.
        if (Format(candidate.TicketId, candidate.Step, candidate.Mac) != payload)
        {
            return false;
        }

        parsed = candidate;
        return true;
    }

    /// <summary>
    /// Checks a payload against the ticket's secret at <paramref name="now"/>: well formed, the MAC right, and its step at
    /// most <paramref name="allowedDrift"/> steps from the current one (clocks of phones and scanners differ a little).
    /// </summary>
    public static TicketCodeCheck Verify(string? payload, ReadOnlySpan<byte> secret, DateTimeOffset now, int stepSeconds, int allowedDrift = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(allowedDrift);
        if (!TryParse(payload, out var code))
        {
            return new TicketCodeCheck(TicketCodeResult.Malformed, null, null);
        }

        if (!CryptographicOperations.FixedTimeEquals(Compute(code.TicketId, secret, code.Step), code.Mac))
        {
            return new TicketCodeCheck(TicketCodeResult.BadMac, code.TicketId, code.Step);
        }

        var current = Step(now, stepSeconds);
        var result = code.Step < current - allowedDrift ? TicketCodeResult.TooOld
            : code.Step > current + allowedDrift ? TicketCodeResult.FromTheFuture
            : TicketCodeResult.Ok;
        return new TicketCodeCheck(result, code.TicketId, code.Step);
    }

    private static void CheckStepSeconds(int stepSeconds)
    {
        if (stepSeconds is < 1 or > MaximumStepSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, $"A code's step is 1 to {MaximumStepSeconds} seconds.");
        }
    }
}

/// <summary>The parts of a code payload (parsed, not yet verified).</summary>
public readonly record struct TicketCodePayload(Guid TicketId, long Step, byte[] Mac);

public enum TicketCodeResult
{
    Ok,

    /// <summary>Not a ticket code at all.</summary>
    Malformed,

    /// <summary>Not made with this ticket's current secret: forged, altered, or from before the secret changed.</summary>
    BadMac,

    /// <summary>Genuine, but from a step that is over (a screenshot, or a phone clock far behind).</summary>
    TooOld,

    /// <summary>Genuine, but from a step that has not begun (a phone clock far ahead).</summary>
    FromTheFuture,
}

/// <summary>The outcome of <see cref="TicketCode.Verify"/>; the ticket id and step are set once the payload parsed.</summary>
public sealed record TicketCodeCheck(TicketCodeResult Result, Guid? TicketId, long? Step)
{
    public bool IsValid => Result == TicketCodeResult.Ok;
}
