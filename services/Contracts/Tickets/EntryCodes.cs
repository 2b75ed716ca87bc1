using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OtpNet;

namespace TicketToken.Contracts.Tickets;

/// <summary>
/// Version 2 of the rotating entry code (docs/adr/0014-entry-code-v2-and-wallet-passes.md): the rotating value is an
/// RFC 6238 TOTP (SHA-1, 8 digits, the code step as its period) under a key derived from the ticket's secret, so a
/// Google Wallet pass, whose rotating barcode can only compute a TOTP, shows the same code the app shows. The tickets
/// module renders this form; the gate accepts it and the version 1 form (<see cref="TicketCode"/>).
/// </summary>
/// <remarks>
/// <para>totpKey = first 20 bytes of HMAC-SHA256(secret, "tickettoken/ticket-totp/v2" ‖ 0x00 ‖ ticketId)</para>
/// <para>value = TOTP(totpKey, T = floor(unixSeconds / stepSeconds)), RFC 6238 with SHA-1 and 8 digits (T0 = 0)</para>
/// <para>payload = <c>TT2.{base64url(ticketId)}.{unixSeconds}.{value}</c>, unixSeconds in decimal without leading zeros</para>
/// The seconds are the moment the code was made (any second of its step): a wallet fills them in from its
/// <c>{totp_timestamp_seconds}</c> substitution, and the gate computes the step from them.
/// </remarks>
public static class TotpCode
{
    public const string Version = "TT2";
    public const string Algorithm = "TOTP-SHA1";
    public const string PayloadFormat = "TT2.{base64url(ticketId)}.{unixSeconds}.{totp}";
    public const string KeyLabel = "tickettoken/ticket-totp/v2";

    /// <summary>The key length RFC 4226 recommends for HMAC-SHA-1 (160 bits).</summary>
    public const int KeySize = 20;

    /// <summary>Eight digits: the most RFC 6238's reference uses, and 10^8 guesses per ticket and step for a forger.</summary>
    public const int Digits = 8;

    private static readonly byte[] KeyLabelBytes = Encoding.ASCII.GetBytes(KeyLabel + "\0");

    /// <summary>The TOTP key of a ticket's current secret: what a wallet is given, never the secret itself.</summary>
    public static byte[] Key(ReadOnlySpan<byte> secret, Guid ticketId)
    {
        Span<byte> message = stackalloc byte[KeyLabelBytes.Length + 16];
        KeyLabelBytes.CopyTo(message);
        ticketId.TryWriteBytes(message[KeyLabelBytes.Length..], bigEndian: true, out _);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, message, mac);
        return mac[..KeySize].ToArray();
    }

    /// <summary>The eight digits of one time step (the RFC 4226 HOTP of the step counter).</summary>
    public static string Value(byte[] totpKey, long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return new Hotp(totpKey, OtpHashMode.Sha1, Digits).ComputeHOTP(step);
    }

    public static string Format(Guid ticketId, long unixSeconds, string value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixSeconds);
        if (value is not { Length: Digits } || !value.All(char.IsAsciiDigit))
        {
            throw new ArgumentException($"A TOTP value is {Digits} digits.", nameof(value));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Version}.{TicketCode.EncodeId(ticketId)}.{unixSeconds}.{value}");
    }

    /// <summary>The code to show at <paramref name="now"/>, stamped with the start of its step.</summary>
    public static string Current(Guid ticketId, ReadOnlySpan<byte> secret, DateTimeOffset now, int stepSeconds)
    {
        var step = TicketCode.Step(now, stepSeconds);
        return Format(ticketId, step * stepSeconds, Value(Key(secret, ticketId), step));
    }

    /// <summary>
    /// The barcode template of a Google Wallet rotating barcode that makes exactly this format: the wallet replaces
    /// <c>{totp_timestamp_seconds}</c> and <c>{totp_value_0}</c> with the moment and the TOTP it computes.
    /// </summary>
    public static string WalletValuePattern(Guid ticketId) => $"{Version}.{TicketCode.EncodeId(ticketId)}.{{totp_timestamp_seconds}}.{{totp_value_0}}";
}

/// <summary>
/// The code a pass carries that cannot rotate: an Apple Wallet pass (its barcode is fixed) and the printed PDF. It is
/// made with the ticket's secret, so a transfer, a resale or a reissue (a new secret version) voids every pass made
/// before; the gate admits it only where the event's organizer allows wallet passes.
/// </summary>
/// <remarks>
/// <para>mac = first 16 bytes of HMAC-SHA256(secret, "tickettoken/pass-code/v2" ‖ 0x00 ‖ ticketId)</para>
/// <para>payload = <c>TTP.{base64url(ticketId)}.{base64url(mac)}</c></para>
/// </remarks>
public static class PassCode
{
    public const string Version = "TTP";
    public const string PayloadFormat = "TTP.{base64url(ticketId)}.{base64url(mac)}";
    public const string Label = "tickettoken/pass-code/v2";

    private static readonly byte[] LabelBytes = Encoding.ASCII.GetBytes(Label + "\0");

    public static byte[] Compute(Guid ticketId, ReadOnlySpan<byte> secret)
    {
        Span<byte> message = stackalloc byte[LabelBytes.Length + 16];
        LabelBytes.CopyTo(message);
        ticketId.TryWriteBytes(message[LabelBytes.Length..], bigEndian: true, out _);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, message, mac);
        return mac[..TicketCode.MacSize].ToArray();
    }

    public static string Format(Guid ticketId, ReadOnlySpan<byte> mac)
    {
        if (mac.Length != TicketCode.MacSize)
        {
            throw new ArgumentException($"A pass code's MAC is {TicketCode.MacSize} bytes.", nameof(mac));
        }

        return $"{Version}.{TicketCode.EncodeId(ticketId)}.{Base64Url.EncodeToString(mac)}";
    }

    /// <summary>The pass code of the ticket's current secret.</summary>
    public static string For(Guid ticketId, ReadOnlySpan<byte> secret) => Format(ticketId, Compute(ticketId, secret));
}

/// <summary>Which form an entry code has.</summary>
public enum EntryCodeKind
{
    /// <summary><c>TT1</c>: rotating, an HMAC of the step (<see cref="TicketCode"/>), accepted until its tickets have expired.</summary>
    RotatingV1,

    /// <summary><c>TT2</c>: rotating, a TOTP of the step (<see cref="TotpCode"/>), what the app and Google Wallet show.</summary>
    RotatingV2,

    /// <summary><c>TTP</c>: fixed, for an Apple Wallet pass and the PDF (<see cref="PassCode"/>).</summary>
    Pass,
}

/// <summary>
/// A parsed entry code, not yet verified. <see cref="Time"/> is the step (<c>TT1</c>), the unix seconds the code was made
/// at (<c>TT2</c>) or 0 (<c>TTP</c>); <see cref="Proof"/> is the MAC bytes or the TOTP digits in ASCII.
/// </summary>
public readonly record struct EntryCode(EntryCodeKind Kind, Guid TicketId, long Time, byte[] Proof)
{
    public bool Rotates => Kind != EntryCodeKind.Pass;
}

/// <summary>Every form of entry code the gate reads, in one place: parse, then check against a ticket's secret.</summary>
public static class EntryCodes
{
    /// <summary>The formats a gate accepts, oldest first.</summary>
    public static readonly IReadOnlyList<string> Versions = [TicketCode.Version, TotpCode.Version, PassCode.Version];

    /// <summary>Reads any form in its one canonical spelling; anything else is false.</summary>
    public static bool TryParse(string? payload, out EntryCode code)
    {
        code = default;
        if (payload is null || payload.Length > TicketCode.MaximumLength)
        {
            return false;
        }

        if (payload.StartsWith(TicketCode.Version + ".", StringComparison.Ordinal))
        {
            if (!TicketCode.TryParse(payload, out var v1))
            {
                return false;
            }

            code = new EntryCode(EntryCodeKind.RotatingV1, v1.TicketId, v1.Step, v1.Mac);
            return true;
        }

        switch (payload.Split('.'))
        {
            case [TotpCode.Version, var id, var seconds, var value]
                when TryDecodeId(id, out var ticketId) && IsDecimal(seconds) && value.Length == TotpCode.Digits && value.All(char.IsAsciiDigit):
                var candidate = new EntryCode(EntryCodeKind.RotatingV2, ticketId, long.Parse(seconds, NumberStyles.None, CultureInfo.InvariantCulture), Encoding.ASCII.GetBytes(value));
                if (TotpCode.Format(ticketId, candidate.Time, value) != payload)
                {
                    return false;
                }

                code = candidate;
                return true;
            case [PassCode.Version, var id, var macText]
                when TryDecodeId(id, out var ticketId) && Base64Url.IsValid(macText, out var macLength) && macLength == TicketCode.MacSize:
                var mac = Base64Url.DecodeFromChars(macText);
                if (PassCode.Format(ticketId, mac) != payload)
                {
                    return false;
                }

                code = new EntryCode(EntryCodeKind.Pass, ticketId, 0, mac);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether the code was made with <paramref name="secret"/> (compared in constant time).</summary>
    public static bool IsMadeWith(in EntryCode code, ReadOnlySpan<byte> secret, int stepSeconds) => code.Kind switch
    {
        EntryCodeKind.RotatingV1 => CryptographicOperations.FixedTimeEquals(TicketCode.Compute(code.TicketId, secret, code.Time), code.Proof),
        EntryCodeKind.RotatingV2 => CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(TotpCode.Value(TotpCode.Key(secret, code.TicketId), code.Time / stepSeconds)), code.Proof),
        _ => CryptographicOperations.FixedTimeEquals(PassCode.Compute(code.TicketId, secret), code.Proof),
    };

    /// <summary>The time step a rotating code belongs to; null for a pass code, which has none.</summary>
    public static long? StepOf(in EntryCode code, int stepSeconds) => code.Kind switch
    {
        EntryCodeKind.RotatingV1 => code.Time,
        EntryCodeKind.RotatingV2 => code.Time / stepSeconds,
        _ => null,
    };

    private static bool TryDecodeId(string text, out Guid ticketId)
    {
        ticketId = default;
        if (!Base64Url.IsValid(text, out var length) || length != 16)
        {
            return false;
        }

        ticketId = new Guid(Base64Url.DecodeFromChars(text), bigEndian: true);
        return true;
    }

    private static bool IsDecimal(string text) => text.Length is > 0 and <= 18 && text.All(char.IsAsciiDigit);
}
