using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Testing.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>
/// Re-authentication (ADR 0025): the password again, and the second factor when MFA is on, for a proof that is bound to the
/// account and session, lives five minutes, and is never an access token.
/// </summary>
public sealed class ReauthenticationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task The_password_gives_a_five_minute_proof_bound_to_the_account_and_the_session()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fan.Password });

        var body = await response.ShouldBeAsync(HttpStatusCode.OK);
        body.Text("tokenType").Should().Be("reauth+jwt");
        var proof = new JsonWebToken(body.Text("proof"));
        var access = new JsonWebToken(fan.AccessToken);
        proof.Typ.Should().Be(Reauthentication.TokenType);
        proof.Audiences.Should().Equal(Reauthentication.Audience);
        proof.Subject.Should().Be(fan.UserId.ToString());
        proof.GetClaim(TokenClaims.Session).Value.Should().Be(access.GetClaim(TokenClaims.Session).Value);
        (proof.ValidTo - proof.IssuedAt).Should().Be(TimeSpan.FromMinutes(5));
        proof.Kid.Should().Be(access.Kid, "signed with the key the JWKS publishes");

        using var asBearer = await _client.SendAsync(fan with { AccessToken = body.Text("proof") }, HttpMethod.Get, "/api/me");
        await asBearer.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task With_MFA_on_the_second_factor_is_required_and_recorded_in_the_proof()
    {
        var fan = await fixture.Personas.FanAsync();
        using var enrolment = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp");
        var secret = Authenticator.DecodeBase32((await enrolment.ShouldBeAsync(HttpStatusCode.OK)).Text("secret"));
        var step = Authenticator.CurrentStep;
        using var verified = await _client.SendAsync(fan, HttpMethod.Post, "/api/me/mfa/totp/verify", new { code = Authenticator.Code(secret, step) });
        await verified.ShouldBeAsync(HttpStatusCode.OK);

        using var passwordOnly = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fan.Password });
        await passwordOnly.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "mfa_required");
        using var wrongCode = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fan.Password, totpCode = Authenticator.WrongCode(secret) });
        await wrongCode.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_mfa_code");

        // The step enrolment used is spent; the next one is the authenticator's next code.
        using var withCode = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fan.Password, totpCode = Authenticator.Code(secret, step + 1) });

        var proof = new JsonWebToken((await withCode.ShouldBeAsync(HttpStatusCode.OK)).Text("proof"));
        proof.Claims.Where(c => c.Type == TokenClaims.AuthenticationMethods).Select(c => c.Value).Should().BeEquivalentTo(["pwd", "mfa"]);
    }

    [Fact]
    public async Task A_wrong_password_gives_no_proof_and_a_signed_out_session_cannot_re_authenticate()
    {
        var fan = await fixture.Personas.FanAsync();

        using var wrong = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = "certainly not the password" });
        await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        using var logout = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/logout");
        logout.StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var ended = await _client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fan.Password });
        await ended.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "session_ended");
    }
}
