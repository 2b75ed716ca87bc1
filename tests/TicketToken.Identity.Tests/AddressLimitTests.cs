using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>
/// The per-address limit: failures spread over many accounts lock the client address (127.0.0.1 for every test,
/// hence a host of its own with a limit of four).
/// </summary>
public sealed class AddressLimitTests(AddressLimitFixture fixture) : IClassFixture<AddressLimitFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Failures_across_many_accounts_lock_the_address_even_for_a_right_password_until_the_lock_lifts()
    {
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        string[] targets = [other.Email, Personas.NewEmail("a"), Personas.NewEmail("b"), Personas.NewEmail("c")];
        targets.Should().HaveCount(AddressLimitFixture.MaxFailuresPerAddress);
        foreach (var email in targets)
        {
            using var failed = await _client.LoginAsync(email, "not the right password");
            await failed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var locked = await _client.LoginAsync(fan.Email, fan.Password);

        await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
        locked.Headers.RetryAfter.Should().NotBeNull();
        await Task.Delay(TimeSpan.FromSeconds(2.25));
        using var lifted = await _client.LoginAsync(fan.Email, fan.Password);
        await lifted.ShouldBeAsync(HttpStatusCode.OK);
    }
}
