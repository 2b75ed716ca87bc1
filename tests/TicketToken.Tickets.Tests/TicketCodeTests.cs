using System.Buffers.Text;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>The rotating code format of Contracts, which the tickets module shows and the scanning module will verify.</summary>
public sealed class TicketCodeTests
{
    private const int StepSeconds = 15;
    private static readonly byte[] EventKey = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly Guid TicketId = Guid.Parse("0192f1b4-7c3e-7a11-9b2d-3f4e5a6b7c8d");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(115_200_000L * StepSeconds + 7);

    [Fact]
    public void The_secret_and_the_code_match_an_independent_implementation_of_the_documented_format()
    {
        // Computed with Python's hmac module from the formulas in TicketCode's remarks, so the format cannot drift unnoticed.
        var secret = TicketCode.DeriveSecret(EventKey, TicketId, secretVersion: 1);

        Base64Url.EncodeToString(secret).Should().Be("KnQO2WO9HYeIdsPgHI4IOC19pXJMvpFnj36mJ6YkKXM");
        TicketCode.Step(Now, StepSeconds).Should().Be(115_200_000);
        TicketCode.Current(TicketId, secret, Now, StepSeconds).Should().Be("TT1.AZLxtHw-ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pUQ");
        TicketCode.StepEndsAt(115_200_000, StepSeconds).Should().Be(DateTimeOffset.FromUnixTimeSeconds(115_200_001L * StepSeconds));
    }

    [Fact]
    public void A_code_parses_back_into_its_ticket_step_and_mac()
    {
        var secret = TicketCode.DeriveSecret(EventKey, TicketId, 1);
        var mac = TicketCode.Compute(TicketId, secret, 42);

        TicketCode.TryParse(TicketCode.Format(TicketId, 42, mac), out var parsed).Should().BeTrue();

        (parsed.TicketId, parsed.Step).Should().Be((TicketId, 42L));
        parsed.Mac.Should().Equal(mac);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("TT2.AZLxtHw-ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.0115200000.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.-1.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pUQ.x")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pU")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ==.115200000.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw+ehGbLT9OWmt8jQ.115200000.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.1e9.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("TT1.AZLxtHw-ehGbLT9OWmt8jQ.99999999999999999999.UAGJQp6hlg5z_F-8lg5pUQ")]
    [InlineData("https://example.com/?ticket=0192f1b4-7c3e-7a11-9b2d-3f4e5a6b7c8d")]
    public void Anything_but_a_canonical_payload_is_malformed(string? payload)
    {
        var secret = TicketCode.DeriveSecret(EventKey, TicketId, 1);

        TicketCode.TryParse(payload, out _).Should().BeFalse();
        TicketCode.Verify(payload, secret, Now, StepSeconds).Result.Should().Be(TicketCodeResult.Malformed);
    }

    [Theory]
    [InlineData(-2, TicketCodeResult.TooOld)]
    [InlineData(-1, TicketCodeResult.Ok)]
    [InlineData(0, TicketCodeResult.Ok)]
    [InlineData(1, TicketCodeResult.Ok)]
    [InlineData(2, TicketCodeResult.FromTheFuture)]
    public void A_genuine_code_is_accepted_one_step_either_side_of_now_and_no_further(int offset, TicketCodeResult expected)
    {
        var secret = TicketCode.DeriveSecret(EventKey, TicketId, 1);
        var step = TicketCode.Step(Now, StepSeconds) + offset;

        var check = TicketCode.Verify(TicketCode.Format(TicketId, step, TicketCode.Compute(TicketId, secret, step)), secret, Now, StepSeconds);

        check.Result.Should().Be(expected);
        (check.TicketId, check.Step).Should().Be((TicketId, step));
    }

    [Fact]
    public void A_code_made_with_an_earlier_secret_version_another_event_key_or_altered_fails_its_mac()
    {
        var current = TicketCode.DeriveSecret(EventKey, TicketId, 2);
        var step = TicketCode.Step(Now, StepSeconds);
        var fromOldVersion = TicketCode.Current(TicketId, TicketCode.DeriveSecret(EventKey, TicketId, 1), Now, StepSeconds);
        var otherKey = EventKey.Select(b => (byte)(b ^ 0xFF)).ToArray();
        var fromOtherEvent = TicketCode.Current(TicketId, TicketCode.DeriveSecret(otherKey, TicketId, 2), Now, StepSeconds);
        var genuine = TicketCode.Current(TicketId, current, Now, StepSeconds);
        var otherStep = TicketCode.Format(TicketId, step - 1, TicketCode.TryParse(genuine, out var parts) ? parts.Mac : []);
        var otherTicket = Guid.NewGuid();
        var forOtherTicket = TicketCode.Format(otherTicket, step, parts.Mac);

        TicketCode.Verify(genuine, current, Now, StepSeconds).IsValid.Should().BeTrue();
        TicketCode.Verify(fromOldVersion, current, Now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac, "a new secret version kills every earlier code");
        TicketCode.Verify(fromOtherEvent, current, Now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac);
        TicketCode.Verify(otherStep, current, Now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac, "the step is under the MAC");
        TicketCode.Verify(forOtherTicket, current, Now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac, "the ticket id is under the MAC");
    }

    [Fact]
    public void Secrets_differ_by_ticket_version_and_event_key_and_are_stable()
    {
        var secrets = new[]
        {
            TicketCode.DeriveSecret(EventKey, TicketId, 1),
            TicketCode.DeriveSecret(EventKey, TicketId, 2),
            TicketCode.DeriveSecret(EventKey, Guid.NewGuid(), 1),
            TicketCode.DeriveSecret([.. EventKey.Reverse()], TicketId, 1),
        };

        secrets.Select(Convert.ToHexString).Should().OnlyHaveUniqueItems();
        TicketCode.DeriveSecret(EventKey, TicketId, 1).Should().Equal(secrets[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void A_step_outside_one_to_thirty_seconds_is_refused(int stepSeconds)
    {
        var act = () => TicketCode.Step(Now, stepSeconds);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
