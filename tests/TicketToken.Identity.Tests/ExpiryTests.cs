using System.Net;
using TicketToken.Contracts.Identity;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>What expires does expire: reset links, invitations, access tokens (<see cref="ShortLifetimesFixture"/>).</summary>
public sealed class ExpiryTests(ShortLifetimesFixture fixture) : IClassFixture<ShortLifetimesFixture>
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(300);
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task An_expired_reset_token_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        using var forgot = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
        await forgot.ShouldBeAsync(HttpStatusCode.Accepted);
        var requested = await fixture.Events.WaitForAsync(PasswordResetRequested.Topic, e => e.Text("email") == fan.Email);
        await Task.Delay(ShortLifetimesFixture.ResetLifetime + Margin);

        using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token = requested.Text("token"), newPassword = "a different long passphrase" });

        await reset.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_reset_token");
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_invitation_is_refused_and_listed_as_expired()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var invited = await fixture.Personas.FanAsync();
        using var invite = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/invitations", new { email = invited.Email, role = "box_office" });
        await invite.ShouldBeAsync(HttpStatusCode.Created);
        var sent = await fixture.Events.WaitForAsync(StaffInvited.Topic, e => e.Text("email") == invited.Email);
        await Task.Delay(ShortLifetimesFixture.InvitationLifetime + Margin);

        var fresh = await fixture.Personas.LoginAsync(invited.Email);
        using var accept = await _client.SendAsync(fresh, HttpMethod.Post, "/api/invitations/accept", new { code = sent.Text("code") });

        await accept.ShouldBeProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
        var freshAdmin = await fixture.Personas.LoginAsync(admin.Email);
        using var list = await _client.SendAsync(freshAdmin, HttpMethod.Get, $"/api/organizers/{organizerId}/invitations");
        (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().Text("status").Should().Be("expired");
    }

    [Fact]
    public async Task An_access_token_is_refused_as_expired_once_its_lifetime_is_over()
    {
        var email = Personas.NewEmail();
        await fixture.Personas.FanAsync(email);
        using var login = await _client.LoginAsync(email, Personas.DefaultPassword);
        var tokens = await login.ShouldBeAsync(HttpStatusCode.OK);
        tokens.GetProperty("expiresIn").GetInt32().Should().Be((int)ShortLifetimesFixture.TokenLifetime.TotalSeconds);
        using var before = await _client.SendAsync(tokens.Text("accessToken"), HttpMethod.Get, "/api/me");
        await before.ShouldBeAsync(HttpStatusCode.OK);

        await Task.Delay(TimeSpan.FromSeconds(Jwt.Payload(tokens.Text("accessToken")).GetProperty("exp").GetInt64() - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) + Margin + TimeSpan.FromSeconds(1));

        using var after = await _client.SendAsync(tokens.Text("accessToken"), HttpMethod.Get, "/api/me");
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        using var refreshed = await _client.RefreshAsync(tokens.Text("refreshToken"));
        using var renewed = await _client.SendAsync((await refreshed.ShouldBeAsync(HttpStatusCode.OK)).Text("accessToken"), HttpMethod.Get, "/api/me");
        await renewed.ShouldBeAsync(HttpStatusCode.OK);
    }
}
