using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Sessions and their refresh-token families: rotation, reuse detection, sign-out, the list of sessions.</summary>
public sealed class SessionTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Refreshing_returns_new_tokens_and_the_used_refresh_token_stops_working()
    {
        var fan = await fixture.Personas.FanAsync();

        using var refreshed = await _client.RefreshAsync(fan.RefreshToken);

        var tokens = await refreshed.ShouldBeAsync(HttpStatusCode.OK);
        tokens.Text("refreshToken").Should().NotBe(fan.RefreshToken);
        tokens.Text("accessToken").Should().NotBe(fan.AccessToken);
        Jwt.Payload(tokens.Text("accessToken")).Text("sid").Should().Be(Jwt.Payload(fan.AccessToken).Text("sid"), "a refresh stays in the same session");
        using var me = await _client.SendAsync(tokens.Text("accessToken"), HttpMethod.Get, "/api/me");
        await me.ShouldBeAsync(HttpStatusCode.OK);
        using var usedAgain = await _client.RefreshAsync(fan.RefreshToken);
        usedAgain.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Reusing_a_refresh_token_ends_the_whole_session()
    {
        var fan = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.RefreshAsync(fan);
        var newest = await fixture.Personas.RefreshAsync(second);

        using var reused = await _client.RefreshAsync(second.RefreshToken);

        await reused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var newestAfterReuse = await _client.RefreshAsync(newest.RefreshToken);
        await newestAfterReuse.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        var signedInAgain = await fixture.Personas.LoginAsync(fan.Email);
        using var sessions = await _client.SendAsync(signedInAgain, HttpMethod.Get, "/api/me/sessions");
        (await sessions.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().Select(s => s.Text("id"))
            .Should().NotContain(Jwt.Payload(fan.AccessToken).Text("sid"), "the session was ended");
    }

    [Fact]
    public async Task A_refresh_token_that_never_existed_is_refused()
    {
        using var response = await _client.RefreshAsync("bm90IGEgcmVmcmVzaCB0b2tlbiB0aGlzIGlzIG5vdA");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Logging_out_ends_the_session_and_only_that_one()
    {
        var fan = await fixture.Personas.FanAsync();
        var elsewhere = await fixture.Personas.LoginAsync(fan.Email);

        using var logout = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/logout");

        await logout.ShouldBeAsync(HttpStatusCode.NoContent);
        using var refreshed = await _client.RefreshAsync(fan.RefreshToken);
        await refreshed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var other = await _client.RefreshAsync(elsewhere.RefreshToken);
        await other.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_sessions_are_listed_with_the_current_one_marked()
    {
        var fan = await fixture.Personas.FanAsync();
        var laptop = await fixture.Personas.LoginAsync(fan.Email);

        using var response = await _client.SendAsync(laptop, HttpMethod.Get, "/api/me/sessions");

        var sessions = (await response.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        sessions.Select(s => s.Text("id")).Should().BeEquivalentTo([SessionOf(fan), SessionOf(laptop)]);
        sessions.Where(s => s.GetProperty("current").GetBoolean()).Select(s => s.Text("id")).Should().Equal(SessionOf(laptop));
        sessions.Should().OnlyContain(s => s.GetProperty("authenticationMethods").EnumerateArray().Select(m => m.GetString()).SequenceEqual(new[] { "pwd" }));
        sessions.Should().OnlyContain(s => s.Text("clientAddress") == "127.0.0.1");
    }

    [Fact]
    public async Task Signing_one_session_out_ends_only_that_session()
    {
        var fan = await fixture.Personas.FanAsync();
        var phone = await fixture.Personas.LoginAsync(fan.Email);

        using var revoked = await _client.SendAsync(fan, HttpMethod.Delete, $"/api/me/sessions/{SessionOf(phone)}");

        await revoked.ShouldBeAsync(HttpStatusCode.NoContent);
        using var phoneRefresh = await _client.RefreshAsync(phone.RefreshToken);
        await phoneRefresh.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var list = await _client.SendAsync(fan, HttpMethod.Get, "/api/me/sessions");
        (await list.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().Select(s => s.Text("id")).Should().Equal(SessionOf(fan));
        using var twice = await _client.SendAsync(fan, HttpMethod.Delete, $"/api/me/sessions/{SessionOf(phone)}");
        await twice.ShouldBeProblemAsync(HttpStatusCode.NotFound, "session_not_found");
    }

    [Fact]
    public async Task Another_fan_cannot_sign_my_session_out()
    {
        var me = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(other, HttpMethod.Delete, $"/api/me/sessions/{SessionOf(me)}");

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "session_not_found");
        using var refreshed = await _client.RefreshAsync(me.RefreshToken);
        await refreshed.ShouldBeAsync(HttpStatusCode.OK);
    }

    private static string SessionOf(Person person) => Jwt.Payload(person.AccessToken).Text("sid");
}
