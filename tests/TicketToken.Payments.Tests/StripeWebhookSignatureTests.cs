using System.Security.Cryptography;
using System.Text;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Tests;

public sealed class StripeWebhookSignatureTests
{
    private const string Secret = "whsec_test_secret";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_test","object":"event","type":"payment_intent.succeeded"}""");

    [Fact]
    public void Signing_matches_an_hmac_sha256_of_timestamp_dot_body_keyed_with_the_whole_secret()
    {
        // The documented scheme computed here directly: key = the secret's UTF-8 bytes, whsec_ prefix included.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes("1700000000." + Encoding.UTF8.GetString(Body))));

        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);

        header.Should().Be($"t=1700000000,v1={expected}");
        // The same vector, computed independently with `openssl dgst -sha256 -hmac` (shared/reference/stripe-solana-facts.md §16).
        expected.Should().Be("f457ee3d89f52f9f02936e1cd1173dd5dfa132cdc78ec55ea964a53098c5a1c0");
    }

    [Fact]
    public void A_signed_body_verifies()
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt.AddSeconds(42)).Should().Be(StripeSignatureCheck.Valid);
    }

    [Fact]
    public void A_header_stripe_would_send_with_a_test_mode_v0_verifies_on_its_v1()
    {
        var v1 = HexHmac(Secret, "1700000000.", Body);
        var header = $"t=1700000000,v1={v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39";

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.Valid);
    }

    [Fact]
    public void A_tampered_body_does_not_verify()
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);
        var tampered = Encoding.UTF8.GetBytes("""{"id":"evt_test","object":"event","type":"payment_intent.payment_failed"}""");

        StripeWebhookSignature.Verify(tampered, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Fact]
    public void The_exact_bytes_count_so_reformatted_json_does_not_verify()
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);
        var reformatted = Encoding.UTF8.GetBytes("""{"id": "evt_test", "object": "event", "type": "payment_intent.succeeded"}""");
        var withNewline = Body.Append((byte)'\n').ToArray();

        StripeWebhookSignature.Verify(reformatted, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.SignatureMismatch);
        StripeWebhookSignature.Verify(withNewline, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Fact]
    public void Non_ascii_bodies_are_signed_as_their_utf8_bytes()
    {
        var body = Encoding.UTF8.GetBytes("""{"venue":"Zürich Hallenstadion","price":"€45"}""");

        var header = StripeWebhookSignature.Sign(body, Secret, SignedAt);

        header.Should().EndWith(HexHmac(Secret, "1700000000.", body));
        StripeWebhookSignature.Verify(body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.Valid);
    }

    [Fact]
    public void The_wrong_secret_does_not_verify()
    {
        var header = StripeWebhookSignature.Sign(Body, "whsec_someone_else", SignedAt);

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Theory]
    [InlineData(300, StripeSignatureCheck.Valid)]
    [InlineData(301, StripeSignatureCheck.TimestampOutsideTolerance)]
    [InlineData(-300, StripeSignatureCheck.Valid)]
    [InlineData(-301, StripeSignatureCheck.TimestampOutsideTolerance)]
    [InlineData(86_400, StripeSignatureCheck.TimestampOutsideTolerance)]
    public void Timestamps_more_than_five_minutes_from_now_either_way_are_refused(int nowMinusSignedSeconds, StripeSignatureCheck expected)
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt.AddSeconds(nowMinusSignedSeconds)).Should().Be(expected);
    }

    [Fact]
    public void The_tolerance_can_be_narrowed()
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt.AddSeconds(61), TimeSpan.FromMinutes(1))
            .Should().Be(StripeSignatureCheck.TimestampOutsideTolerance);
    }

    [Fact]
    public void A_bad_signature_is_reported_as_such_even_when_it_is_also_stale()
    {
        var header = StripeWebhookSignature.Sign(Body, "whsec_someone_else", SignedAt);

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt.AddHours(1)).Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Fact]
    public void Any_one_of_several_v1_signatures_is_enough()
    {
        var other = HexHmac("whsec_other_endpoint", "1700000000.", Body);
        var right = HexHmac(Secret, "1700000000.", Body);

        StripeWebhookSignature.Verify(Body, $"t=1700000000,v1={other},v1={right}", Secret, SignedAt).Should().Be(StripeSignatureCheck.Valid);
        StripeWebhookSignature.Verify(Body, $"t=1700000000,v1=not-hex,v1={right}", Secret, SignedAt).Should().Be(StripeSignatureCheck.Valid);
        StripeWebhookSignature.Verify(Body, $"t=1700000000,v1={other},v1=not-hex", Secret, SignedAt).Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Fact]
    public void While_a_secret_is_rolled_either_secret_verifies_and_a_third_does_not()
    {
        string[] secrets = ["whsec_old_secret", "whsec_new_secret"];

        StripeWebhookSignature.Verify(Body, StripeWebhookSignature.Sign(Body, "whsec_old_secret", SignedAt), secrets, SignedAt)
            .Should().Be(StripeSignatureCheck.Valid);
        StripeWebhookSignature.Verify(Body, StripeWebhookSignature.Sign(Body, "whsec_new_secret", SignedAt), secrets, SignedAt)
            .Should().Be(StripeSignatureCheck.Valid);
        StripeWebhookSignature.Verify(Body, StripeWebhookSignature.Sign(Body, "whsec_third_secret", SignedAt), secrets, SignedAt)
            .Should().Be(StripeSignatureCheck.SignatureMismatch);
    }

    [Fact]
    public void A_header_signed_under_both_secrets_verifies_once_the_old_one_is_dropped()
    {
        var header = $"t=1700000000,v1={HexHmac("whsec_old_secret", "1700000000.", Body)},v1={HexHmac("whsec_new_secret", "1700000000.", Body)}";

        StripeWebhookSignature.Verify(Body, header, ["whsec_new_secret"], SignedAt).Should().Be(StripeSignatureCheck.Valid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_missing_header_is_reported_as_missing(string? header) =>
        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.MissingHeader);

    [Theory]
    [InlineData("garbage")]
    [InlineData("v1=f457ee3d89f52f9f02936e1cd1173dd5dfa132cdc78ec55ea964a53098c5a1c0")]
    [InlineData("t=yesterday,v1=f457ee3d89f52f9f02936e1cd1173dd5dfa132cdc78ec55ea964a53098c5a1c0")]
    [InlineData("t=-1700000000,v1=f457ee3d89f52f9f02936e1cd1173dd5dfa132cdc78ec55ea964a53098c5a1c0")]
    [InlineData("t=1700000000,t=1700000001,v1=f457ee3d89f52f9f02936e1cd1173dd5dfa132cdc78ec55ea964a53098c5a1c0")]
    [InlineData("t=99999999999999999999,v1=00")]
    [InlineData("t=1700000000,,v1=00")]
    [InlineData("=1700000000")]
    public void A_garbled_header_is_malformed(string header) =>
        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.Malformed);

    [Fact]
    public void A_header_with_only_other_schemes_has_no_v1_signature()
    {
        // Even a correct HMAC under another scheme name does not count: only v1 is Stripe's signature.
        var header = $"t=1700000000,v0={HexHmac(Secret, "1700000000.", Body)}";

        StripeWebhookSignature.Verify(Body, header, Secret, SignedAt).Should().Be(StripeSignatureCheck.NoV1Signature);
    }

    [Fact]
    public void Verifying_without_any_secret_is_a_configuration_error()
    {
        var header = StripeWebhookSignature.Sign(Body, Secret, SignedAt);

        var verify = () => StripeWebhookSignature.Verify(Body, header, Array.Empty<string>(), SignedAt);

        verify.Should().Throw<ArgumentException>();
    }

    private static string HexHmac(string secret, string prefix, byte[] body)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToHexStringLower(hmac.ComputeHash([.. Encoding.UTF8.GetBytes(prefix), .. body]));
    }
}
