using System.Net;
using TicketToken.Contracts.Identity;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Registration, sign-in, the profile, password change and password reset.</summary>
public sealed class AccountTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private const string NewPassword = "a different long passphrase";
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Registering_answers_the_same_for_a_new_and_an_already_registered_address()
    {
        var email = Personas.NewEmail();

        using var first = await _client.PostJsonAsync("/api/auth/register", new { email, password = Personas.DefaultPassword });
        using var again = await _client.PostJsonAsync("/api/auth/register", new { email, password = "someone else's password" });

        var firstBody = await first.ShouldBeAsync(HttpStatusCode.Accepted);
        var againBody = await again.ShouldBeAsync(HttpStatusCode.Accepted);
        againBody.GetRawText().Should().Be(firstBody.GetRawText(), "the answer must not tell whether the address has an account");
        var attempted = await fixture.Events.WaitForAsync(RegistrationAttemptedForExistingAccount.Topic, e => e.Text("email") == email);
        attempted.GetProperty("userId").GetGuid().Should().NotBeEmpty();
        fixture.Events.On(UserRegistered.Topic).Count(e => e.Text("email") == email).Should().Be(1);
        using var original = await _client.LoginAsync(email, Personas.DefaultPassword);
        await original.ShouldBeAsync(HttpStatusCode.OK);
        using var intruder = await _client.LoginAsync(email, "someone else's password");
        await intruder.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("fan@localhost")]
    [InlineData("two words@example.com")]
    [InlineData("Fan <fan@example.com>")]
    public async Task Registration_refuses_an_invalid_email_address(string email)
    {
        using var response = await _client.PostJsonAsync("/api/auth/register", new { email, password = Personas.DefaultPassword });

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_email");
    }

    [Theory]
    [InlineData("too-short")]
    [InlineData("aaaaaaaaaaaaaaaa")]
    [InlineData("ababababcabcabc")]
    public async Task Registration_refuses_a_weak_password(string password)
    {
        using var response = await _client.PostJsonAsync("/api/auth/register", new { email = Personas.NewEmail(), password });

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "weak_password");
    }

    [Fact]
    public async Task Registration_refuses_a_password_that_contains_the_address()
    {
        var email = Personas.NewEmail("marguerite");

        using var response = await _client.PostJsonAsync("/api/auth/register", new { email, password = $"my name is {email.Split('@')[0]}!" });

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "weak_password");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"email":"fan@example.com"}""")]
    [InlineData("""{"password":"correct horse battery staple"}""")]
    public async Task Registration_without_a_required_field_is_a_validation_problem(string json)
    {
        using var response = await _client.PostRawJsonAsync("/api/auth/register", json);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        problem.Body.TryGetProperty("errors", out _).Should().BeTrue("a validation problem names the fields: {0}", problem.Body);
    }

    [Fact]
    public async Task Signing_in_returns_a_signed_access_token_for_the_person_and_a_refresh_token()
    {
        var email = Personas.NewEmail();
        using var registered = await _client.PostJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = Personas.DefaultPassword });
        await registered.ShouldBeAsync(HttpStatusCode.Accepted);

        using var response = await _client.LoginAsync($"  {email} ", Personas.DefaultPassword);

        var tokens = await response.ShouldBeAsync(HttpStatusCode.OK);
        tokens.Text("tokenType").Should().Be("Bearer");
        tokens.GetProperty("expiresIn").GetInt32().Should().Be(600);
        tokens.Text("refreshToken").Should().NotBeNullOrWhiteSpace();
        tokens.GetProperty("mfaRequiredBy").GetArrayLength().Should().Be(0);
        var access = tokens.Text("accessToken");
        var header = Jwt.Header(access);
        header.Text("alg").Should().Be("ES256");
        header.Text("typ").Should().Be("at+jwt");
        header.Text("kid").Should().NotBeNullOrEmpty();
        var payload = Jwt.Payload(access);
        payload.Text("iss").Should().Be("tickettoken");
        payload.Text("aud").Should().Be("tickettoken-api");
        payload.Text("kind").Should().Be("user");
        payload.Text("sid").Should().Be(tokens.Text("sessionId"));
        Jwt.Claims(access, "role").Should().Equal("fan");
        Jwt.Claims(access, "amr").Should().Equal("pwd");
        using var me = await _client.SendAsync(access, HttpMethod.Get, "/api/me");
        var profile = await me.ShouldBeAsync(HttpStatusCode.OK);
        profile.Text("email").Should().Be(email, "addresses are stored trimmed and in lower case");
        profile.Text("id").Should().Be(payload.Text("sub"));
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_address_get_the_same_answer()
    {
        var fan = await fixture.Personas.FanAsync();

        using var wrongPassword = await _client.LoginAsync(fan.Email, "not the right password");
        using var unknownAddress = await _client.LoginAsync(Personas.NewEmail("nobody"), "not the right password");

        var wrong = await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unknown = await unknownAddress.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        unknown.Comparable().Should().Be(wrong.Comparable(), "the answer must not tell whether the address has an account");
        unknownAddress.Headers.Select(h => h.Key).Should().BeEquivalentTo(wrongPassword.Headers.Select(h => h.Key));
    }

    [Fact]
    public async Task A_failed_sign_in_is_published_with_the_account_if_there_is_one_and_the_address()
    {
        var fan = await fixture.Personas.FanAsync();
        var anonymousBefore = fixture.Events.On(SignInFailed.Topic).Count(e => e.GetProperty("userId").ValueKind == System.Text.Json.JsonValueKind.Null);

        using (var wrongPassword = await _client.LoginAsync(fan.Email, "not the right password"))
        {
            await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using (var unknownAddress = await _client.LoginAsync(Personas.NewEmail("nobody"), "not the right password"))
        {
            await unknownAddress.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var failed = await fixture.Events.WaitForAsync(SignInFailed.Topic, e => e.Text("userId") == fan.UserId.ToString());
        failed.Text("address").Should().NotBeNullOrEmpty("the queue also counts failures per client address");
        await Eventually.TrueAsync(() => Task.FromResult(
                fixture.Events.On(SignInFailed.Topic).Count(e => e.GetProperty("userId").ValueKind == System.Text.Json.JsonValueKind.Null) > anonymousBefore),
            "a failure on an address without an account is published too, without an account");
        using var signedIn = await _client.LoginAsync(fan.Email, Personas.DefaultPassword);
        await signedIn.ShouldBeAsync(HttpStatusCode.OK);
        fixture.Events.On(SignInFailed.Topic).Count(e => e.Text("userId") == fan.UserId.ToString()).Should().Be(1, "a successful sign-in publishes nothing");
    }

    [Fact]
    public async Task The_profile_can_be_read_and_the_display_name_changed()
    {
        var fan = await fixture.Personas.FanAsync();

        using var before = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        var profile = await before.ShouldBeAsync(HttpStatusCode.OK);
        profile.Text("email").Should().Be(fan.Email);
        profile.Text("displayName").Should().Be(fan.Email.Split('@')[0]);
        profile.GetProperty("mfaEnabled").GetBoolean().Should().BeFalse();
        profile.GetProperty("isPlatformAdmin").GetBoolean().Should().BeFalse();
        profile.GetProperty("memberships").GetArrayLength().Should().Be(0);

        using var patched = await _client.SendAsync(fan, HttpMethod.Patch, "/api/me", new { displayName = "  Ada L.  " });
        (await patched.ShouldBeAsync(HttpStatusCode.OK)).Text("displayName").Should().Be("Ada L.");
        using var after = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        (await after.ShouldBeAsync(HttpStatusCode.OK)).Text("displayName").Should().Be("Ada L.");

        using var tooLong = await _client.SendAsync(fan, HttpMethod.Patch, "/api/me", new { displayName = new string('x', 101) });
        await tooLong.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task The_profile_needs_a_token()
    {
        using var response = await _client.GetAsync(new Uri("/api/me", UriKind.Relative));

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");
    }

    [Fact]
    public async Task Changing_the_password_ends_the_other_sessions_but_keeps_the_current_one()
    {
        var here = await fixture.Personas.FanAsync();
        var elsewhere = await fixture.Personas.LoginAsync(here.Email);

        using var changed = await _client.SendAsync(here, HttpMethod.Post, "/api/me/password", new { currentPassword = here.Password, newPassword = NewPassword });

        await changed.ShouldBeAsync(HttpStatusCode.NoContent);
        using var otherRefresh = await _client.RefreshAsync(elsewhere.RefreshToken);
        await otherRefresh.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        using var ownRefresh = await _client.RefreshAsync(here.RefreshToken);
        await ownRefresh.ShouldBeAsync(HttpStatusCode.OK);
        using var oldPassword = await _client.LoginAsync(here.Email, here.Password);
        await oldPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        using var newPassword = await _client.LoginAsync(here.Email, NewPassword);
        await newPassword.ShouldBeAsync(HttpStatusCode.OK);
        await fixture.Events.WaitForAsync(PasswordChanged.Topic, e => e.Text("email") == here.Email);
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_an_acceptable_new_one()
    {
        var fan = await fixture.Personas.FanAsync();

        using var wrong = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/password", new { currentPassword = "not my password at all", newPassword = NewPassword });
        using var weak = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/password", new { currentPassword = fan.Password, newPassword = "short" });

        await wrong.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "wrong_password");
        await weak.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "weak_password");
        using var login = await _client.LoginAsync(fan.Email, fan.Password);
        await login.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Forgot_password_answers_the_same_for_a_known_and_an_unknown_address()
    {
        var fan = await fixture.Personas.FanAsync();
        var stranger = Personas.NewEmail("stranger");

        using var known = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
        using var unknown = await _client.PostJsonAsync("/api/auth/password/forgot", new { email = stranger });

        var knownBody = await known.ShouldBeAsync(HttpStatusCode.Accepted);
        var unknownBody = await unknown.ShouldBeAsync(HttpStatusCode.Accepted);
        unknownBody.GetRawText().Should().Be(knownBody.GetRawText());
        var requested = await fixture.Events.WaitForAsync(PasswordResetRequested.Topic, e => e.Text("email") == fan.Email);
        requested.GetProperty("userId").GetGuid().Should().Be(fan.UserId);
        requested.Text("token").Should().NotBeNullOrWhiteSpace();
        fixture.Events.On(PasswordResetRequested.Topic).Should().NotContain(e => e.Text("email") == stranger);
    }

    [Fact]
    public async Task A_reset_token_sets_a_new_password_once_and_ends_every_session()
    {
        var fan = await fixture.Personas.FanAsync();
        var otherSession = await fixture.Personas.LoginAsync(fan.Email);
        var token = await RequestResetAsync(fan.Email);

        using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token, newPassword = NewPassword });

        await reset.ShouldBeAsync(HttpStatusCode.NoContent);
        using var again = await _client.PostJsonAsync("/api/auth/password/reset", new { token, newPassword = "yet another passphrase" });
        await again.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_reset_token");
        foreach (var session in new[] { fan, otherSession })
        {
            using var refreshed = await _client.RefreshAsync(session.RefreshToken);
            await refreshed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        }

        using var oldPassword = await _client.LoginAsync(fan.Email, fan.Password);
        await oldPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        using var newPassword = await _client.LoginAsync(fan.Email, NewPassword);
        await newPassword.ShouldBeAsync(HttpStatusCode.OK);
        await fixture.Events.WaitForAsync(PasswordChanged.Topic, e => e.Text("email") == fan.Email);
    }

    [Fact]
    public async Task A_newer_reset_link_makes_the_older_one_useless_once_used()
    {
        var fan = await fixture.Personas.FanAsync();
        var older = await RequestResetAsync(fan.Email);
        var newer = await RequestResetAsync(fan.Email, except: older);

        using var reset = await _client.PostJsonAsync("/api/auth/password/reset", new { token = newer, newPassword = NewPassword });
        using var stale = await _client.PostJsonAsync("/api/auth/password/reset", new { token = older, newPassword = "yet another passphrase" });

        await reset.ShouldBeAsync(HttpStatusCode.NoContent);
        await stale.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_reset_token");
    }

    [Fact]
    public async Task A_made_up_reset_token_is_refused()
    {
        using var response = await _client.PostJsonAsync("/api/auth/password/reset", new { token = "bm90IGEgcmVhbCB0b2tlbiBhdCBhbGwgYXQgYWxsIQ", newPassword = NewPassword });

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_reset_token");
    }

    private async Task<string> RequestResetAsync(string email, string? except = null)
    {
        using var forgot = await _client.PostJsonAsync("/api/auth/password/forgot", new { email });
        await forgot.ShouldBeAsync(HttpStatusCode.Accepted);
        var requested = await fixture.Events.WaitForAsync(PasswordResetRequested.Topic, e => e.Text("email") == email && e.Text("token") != except);
        return requested.Text("token");
    }
}
