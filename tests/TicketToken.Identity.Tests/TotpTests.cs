using System.Text;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Tests;

/// <summary>The module's TOTP and base32 against the RFCs' own test vectors, and the test's authenticator against the same.</summary>
public sealed class TotpTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    /// <summary>RFC 6238 appendix B, SHA1: the time and the 8-digit TOTP.</summary>
    public static TheoryData<long, string> Rfc6238Vectors => new()
    {
        { 59, "94287082" },
        { 1111111109, "07081804" },
        { 1111111111, "14050471" },
        { 1234567890, "89005924" },
        { 2000000000, "69279037" },
    };

    [Theory]
    [MemberData(nameof(Rfc6238Vectors))]
    public void The_module_computes_the_rfc_6238_codes(long unixTime, string eightDigits)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime));

        Totp.Code(RfcSecret, step).Should().Be(eightDigits[^6..], "six digits are the last six of the eight-digit vector");
    }

    [Theory]
    [MemberData(nameof(Rfc6238Vectors))]
    public void The_tests_own_authenticator_computes_the_rfc_6238_codes(long unixTime, string eightDigits)
    {
        var step = Authenticator.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime));

        Authenticator.Code(RfcSecret, step, digits: 8).Should().Be(eightDigits);
        Authenticator.Code(RfcSecret, step).Should().Be(eightDigits[^6..]);
    }

    [Fact]
    public void A_code_is_accepted_one_step_early_or_late_and_only_after_the_last_used_step()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1234567890);
        var step = Totp.StepAt(now);

        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step), now, lastUsedStep: null).Should().Be(step);
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step - 1), now, lastUsedStep: null).Should().Be(step - 1);
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step + 1), now, lastUsedStep: null).Should().Be(step + 1);
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step - 2), now, lastUsedStep: null).Should().BeNull();
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step + 2), now, lastUsedStep: null).Should().BeNull();
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step), now, lastUsedStep: step).Should().BeNull("a code works once");
        Totp.Verify(RfcSecret, Totp.Code(RfcSecret, step - 1), now, lastUsedStep: step).Should().BeNull("an older code after a newer one is a replay");
        Totp.Verify(RfcSecret, "005 924", now, lastUsedStep: null).Should().Be(step, "spaces people type are ignored");
        Totp.Verify(RfcSecret, "05924", now, lastUsedStep: null).Should().BeNull();
        Totp.Verify(RfcSecret, "0059240", now, lastUsedStep: null).Should().BeNull();
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_follows_rfc_4648_without_padding(string text, string encoded)
    {
        Base32.Encode(Encoding.ASCII.GetBytes(text)).Should().Be(encoded);
        Base32.Decode(encoded).Should().Equal(Encoding.ASCII.GetBytes(text));
        Authenticator.DecodeBase32(encoded).Should().Equal(Encoding.ASCII.GetBytes(text));
    }

    [Fact]
    public void The_enrolment_uri_follows_the_key_uri_format()
    {
        var uri = new Uri(Totp.EnrolmentUri("TicketToken", "ada@example.com", RfcSecret));

        uri.Scheme.Should().Be("otpauth");
        uri.Host.Should().Be("totp");
        Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')).Should().Be("TicketToken:ada@example.com");
        uri.Query.Should().Be("?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=TicketToken&algorithm=SHA1&digits=6&period=30");
    }
}
