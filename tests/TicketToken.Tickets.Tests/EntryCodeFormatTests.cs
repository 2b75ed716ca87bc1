using System.Buffers.Text;
using System.Text;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>
/// Version 2 of the rotating code (TT2, a TOTP) and the fixed pass code (TTP) of Contracts, against vectors computed
/// independently, RFC 6238's own vectors, and the one-spelling rule every form keeps.
/// </summary>
public sealed class EntryCodeFormatTests
{
    private const int StepSeconds = 15;
    private static readonly byte[] EventKey = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly Guid TicketId = Guid.Parse("0192f1b4-7c3e-7a11-9b2d-3f4e5a6b7c8d");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(115_200_000L * StepSeconds + 7);
    private static readonly byte[] Secret = TicketCode.DeriveSecret(EventKey, TicketId, 1);

    /// <summary>RFC 6238 appendix B, SHA-1, 30 s steps: the time and the 8-digit TOTP of the key "12345678901234567890".</summary>
    public static TheoryData<long, string> Rfc6238Vectors => new()
    {
        { 59, "94287082" },
        { 1111111109, "07081804" },
        { 1111111111, "14050471" },
        { 1234567890, "89005924" },
        { 2000000000, "69279037" },
        { 20000000000, "65353130" },
    };

    [Theory]
    [MemberData(nameof(Rfc6238Vectors))]
    public void The_totp_is_rfc_6238_sha1_with_eight_digits(long unixTime, string expected)
    {
        TotpCode.Value(Encoding.ASCII.GetBytes("12345678901234567890"), unixTime / 30).Should().Be(expected);
    }

    [Fact]
    public void The_totp_key_the_codes_and_the_pass_code_match_an_independent_implementation_of_the_documented_formats()
    {
        // Computed with Python's hmac, hashlib and struct from the formulas in the remarks of TotpCode and PassCode.
        var key = TotpCode.Key(Secret, TicketId);

        Convert.ToHexStringLower(key).Should().Be("a83e0f1dd717f82800434b08d08e9ae9e6f486c0");
        TotpCode.Current(TicketId, Secret, Now, StepSeconds).Should().Be("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.24463357", "stamped with its step's start");
        TotpCode.Format(TicketId, Now.ToUnixTimeSeconds(), TotpCode.Value(key, TicketCode.Step(Now, StepSeconds)))
            .Should().Be("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000007.24463357", "any second of the step has the same value");
        PassCode.For(TicketId, Secret).Should().Be("TTP.AZLxtHw-ehGbLT9OWmt8jQ.UM4gCfIbz7P-IKbnaVjSgg");
        TotpCode.WalletValuePattern(TicketId).Should().Be("TT2.AZLxtHw-ehGbLT9OWmt8jQ.{totp_timestamp_seconds}.{totp_value_0}");
    }

    [Fact]
    public void Every_form_parses_back_and_is_made_with_the_tickets_secret_and_no_other()
    {
        var older = TicketCode.DeriveSecret(EventKey, TicketId, 2);
        var codes = new[]
        {
            (TicketCode.Current(TicketId, Secret, Now, StepSeconds), EntryCodeKind.RotatingV1, (long?)115_200_000),
            (TotpCode.Current(TicketId, Secret, Now, StepSeconds), EntryCodeKind.RotatingV2, 115_200_000),
            (PassCode.For(TicketId, Secret), EntryCodeKind.Pass, null),
        };

        foreach (var (text, kind, step) in codes)
        {
            EntryCodes.TryParse(text, out var code).Should().BeTrue(text);
            (code.Kind, code.TicketId).Should().Be((kind, TicketId));
            EntryCodes.StepOf(code, StepSeconds).Should().Be(step);
            EntryCodes.IsMadeWith(code, Secret, StepSeconds).Should().BeTrue(text);
            EntryCodes.IsMadeWith(code, older, StepSeconds).Should().BeFalse("another secret version did not make {0}", text);
        }
    }

    [Fact]
    public void A_totp_code_is_bound_to_its_step_and_its_ticket()
    {
        var genuine = TotpCode.Current(TicketId, Secret, Now, StepSeconds);
        var parts = genuine.Split('.');
        var stepLater = $"TT2.{parts[1]}.{long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) + StepSeconds}.{parts[3]}";
        var otherTicket = Guid.NewGuid();
        var forOtherTicket = $"TT2.{TicketCode.EncodeId(otherTicket)}.{parts[2]}.{parts[3]}";

        EntryCodes.TryParse(stepLater, out var later).Should().BeTrue();
        EntryCodes.TryParse(forOtherTicket, out var other).Should().BeTrue();
        EntryCodes.IsMadeWith(later, Secret, StepSeconds).Should().BeFalse("the value belongs to its step");
        EntryCodes.IsMadeWith(other, TicketCode.DeriveSecret(EventKey, otherTicket, 1), StepSeconds).Should().BeFalse("the key belongs to its ticket");
    }

    [Theory]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.01728000000.24463357")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.2446335")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.244633570")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.2446335x")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.-1728000000.24463357")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ==.1728000000.24463357")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jR.1728000000.24463357")]
    [InlineData("tt2.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.24463357")]
    [InlineData("TTP.AZLxtHw-ehGbLT9OWmt8jQ.UM4gCfIbz7P-IKbnaVjSgg.1")]
    [InlineData("TTP.AZLxtHw-ehGbLT9OWmt8jQ.UM4gCfIbz7P-IKbnaVjSg")]
    [InlineData("TTP.AZLxtHw-ehGbLT9OWmt8jQ.UM4gCfIbz7P-IKbnaVjSgh")]
    [InlineData("TTP.AZLxtHw-ehGbLT9OWmt8jQ.UM4gCfIbz7P+IKbnaVjSgg")]
    [InlineData("TT3.AZLxtHw-ehGbLT9OWmt8jQ.1728000000.24463357")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.0115200000.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_one_canonical_spelling_is_not_an_entry_code(string? payload)
    {
        EntryCodes.TryParse(payload, out _).Should().BeFalse();
    }

    [Fact]
    public void Version_one_codes_still_read_as_entry_codes()
    {
        EntryCodes.TryParse("TT1.AZLxtHw-ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pUQ", out var code).Should().BeTrue();

        (code.Kind, code.TicketId, code.Time).Should().Be((EntryCodeKind.RotatingV1, TicketId, 115_200_000L));
        code.Proof.Should().Equal(Base64Url.DecodeFromChars("UAGJQp6hlg5z_F-8lg5pUQ"));
        EntryCodes.IsMadeWith(code, Secret, StepSeconds).Should().BeTrue();
    }
}
