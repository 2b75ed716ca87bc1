using System.Net;
using TicketToken.Contracts.Identity;
using TicketToken.Testing;

namespace TicketToken.Identity.Tests;

/// <summary>Bearer secrets never reach the logs, at any level (<see cref="LogCaptureFixture"/> keeps everything down to Trace).</summary>
public sealed class SecretLoggingTests(LogCaptureFixture fixture) : IClassFixture<LogCaptureFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_password_reset_token_never_appears_in_the_logs()
    {
        var fan = await fixture.Personas.FanAsync();
        const string newPassword = "a different long passphrase";
        using var forgot = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
        await forgot.ShouldBeAsync(HttpStatusCode.Accepted);
        var token = (await fixture.Events.WaitForAsync(PasswordResetRequested.Topic, e => e.Text("email") == fan.Email)).Text("token");

        using var weak = await _client.PostJsonAsync("/api/auth/password/reset", new { token, newPassword = "short" });
        await weak.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "weak_password");
        using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token, newPassword });
        await reset.ShouldBeAsync(HttpStatusCode.NoContent);
        using var reused = await _client.PostJsonAsync("/api/auth/password/reset", new { token, newPassword });
        await reused.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_reset_token");

        await Eventually.TrueAsync(
            () => Task.FromResult(fixture.Logs.Entries.Count(e => e.Contains("POST /api/auth/password/reset responded", StringComparison.Ordinal)) >= 3),
            "the three reset requests were logged");
        var logs = fixture.Logs.Text;
        logs.Should().Contain("from the identity outbox", "the relay of the event that carries the token logs too (at Debug), so it had its chance to leak");
        logs.Should().Contain("Microsoft.EntityFrameworkCore.Database.Command", "the SQL that stores the token's hash and the outbox row is logged too");
        logs.Should().NotContain(token);
        logs.Should().NotContain(newPassword);
        logs.Should().NotContain(fan.Password);
    }
}
