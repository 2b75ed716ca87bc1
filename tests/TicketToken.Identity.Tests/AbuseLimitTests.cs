using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>
/// Identity's own throttles (the host's rate limit is off in tests): per account, per unknown address alike, for
/// password resets and device secrets. Three failures lock for two seconds here (<see cref="LockoutFixture"/>).
/// </summary>
public sealed class AbuseLimitTests(LockoutFixture fixture) : IClassFixture<LockoutFixture>
{
    private const string WrongPassword = "not the right password";
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task An_account_is_locked_after_too_many_failures_even_for_the_right_password_until_the_lock_lifts()
    {
        var fan = await fixture.Personas.FanAsync();
        await FailAsync(fan.Email, LockoutFixture.MaxFailures);

        using var locked = await _client.LoginAsync(fan.Email, fan.Password);

        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        retryAfter.Should().NotBeNull("a lockout says when to try again");
        retryAfter!.Value.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(LockoutFixture.Lockout);
        await Task.Delay(LockoutFixture.Lockout + TimeSpan.FromMilliseconds(250));
        using var lifted = await _client.LoginAsync(fan.Email, fan.Password);
        await lifted.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_address_is_locked_exactly_like_a_known_one()
    {
        var fan = await fixture.Personas.FanAsync();
        var unknown = Personas.NewEmail("nobody");
        await FailAsync(fan.Email, LockoutFixture.MaxFailures);
        await FailAsync(unknown, LockoutFixture.MaxFailures);

        using var knownLocked = await _client.LoginAsync(fan.Email, WrongPassword);
        using var unknownLocked = await _client.LoginAsync(unknown, WrongPassword);

        var known = await knownLocked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        var stranger = await unknownLocked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        stranger.Comparable().Should().Be(known.Comparable(), "a lockout must not tell whether the address has an account");
        unknownLocked.Headers.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task A_successful_sign_in_starts_the_count_again()
    {
        var fan = await fixture.Personas.FanAsync();
        await FailAsync(fan.Email, LockoutFixture.MaxFailures - 1);
        using var success = await _client.LoginAsync(fan.Email, fan.Password);
        await success.ShouldBeAsync(HttpStatusCode.OK);

        await FailAsync(fan.Email, LockoutFixture.MaxFailures - 1);

        using var stillOpen = await _client.LoginAsync(fan.Email, fan.Password);
        await stillOpen.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Wrong_second_factor_codes_count_as_failures()
    {
        var fan = await fixture.Personas.FanAsync();
        using var started = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp");
        var secret = Authenticator.DecodeBase32((await started.ShouldBeAsync(HttpStatusCode.OK)).Text("secret"));
        var step = Authenticator.CurrentStep;
        using var verified = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.Code(secret, step) });
        await verified.ShouldBeAsync(HttpStatusCode.OK);
        for (var i = 0; i < LockoutFixture.MaxFailures; i++)
        {
            using var wrong = await _client.LoginAsync(fan.Email, fan.Password, Authenticator.WrongCode(secret));
            await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_code");
        }

        using var locked = await _client.LoginAsync(fan.Email, fan.Password, Authenticator.Code(secret, step + 1));

        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
    }

    [Fact]
    public async Task Password_reset_requests_are_limited_per_address_known_or_not()
    {
        var fan = await fixture.Personas.FanAsync();
        var unknown = Personas.NewEmail("nobody");
        foreach (var email in new[] { fan.Email, unknown })
        {
            for (var i = 0; i < LockoutFixture.MaxResetRequests; i++)
            {
                using var accepted = await _client.PostJsonAsync("/api/auth/password/forgot", new { email });
                await accepted.ShouldBeAsync(HttpStatusCode.Accepted);
            }

            using var limited = await _client.PostJsonAsync("/api/auth/password/forgot", new { email });
            await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
            limited.Headers.RetryAfter.Should().NotBeNull();
        }

        using var someoneElse = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = Personas.NewEmail() });
        await someoneElse.ShouldBeAsync(HttpStatusCode.Accepted);
        await Task.Delay(LockoutFixture.Lockout + TimeSpan.FromMilliseconds(250));
        using var lifted = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
        await lifted.ShouldBeAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task A_device_is_locked_after_too_many_wrong_secrets()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);
        for (var i = 0; i < LockoutFixture.MaxFailures; i++)
        {
            using var wrong = await _client.PostJsonAsync("/api/devices/token", new { deviceId = scanner.DeviceId, secret = "a guessed secret" });
            await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_device_credentials");
        }

        using var locked = await _client.PostJsonAsync("/api/devices/token", new { deviceId = scanner.DeviceId, secret = scanner.Secret });

        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        locked.Headers.RetryAfter.Should().NotBeNull();
    }

    private async Task FailAsync(string email, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var failed = await _client.LoginAsync(email, WrongPassword);
            await failed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }
    }
}
