using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Tests;

/// <summary>
/// What the host accepts as an access token. Tokens are crafted here with the module's own signing key (read from
/// the host's services) or with keys an attacker could have, then presented on GET /api/me.
/// </summary>
public sealed class TokenValidationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_token_crafted_with_the_current_key_and_the_right_claims_is_accepted()
    {
        var fan = await fixture.Personas.FanAsync();
        var token = Sign(await ValidTokenAsync(fan.UserId));

        using var response = await _client.SendAsync(token, HttpMethod.Get, "/api/me");

        (await response.ShouldBeAsync(HttpStatusCode.OK)).Text("email").Should().Be(fan.Email);
    }

    [Fact]
    public async Task An_expired_token_is_refused_as_expired()
    {
        var fan = await fixture.Personas.FanAsync();
        var descriptor = await ValidTokenAsync(fan.UserId);
        var now = DateTime.UtcNow;
        descriptor.IssuedAt = descriptor.NotBefore = now.AddMinutes(-20);
        descriptor.Expires = now.AddMinutes(-5);

        using var response = await _client.SendAsync(Sign(descriptor), HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        response.Headers.WwwAuthenticate.ToString().Should().Contain("error=\"invalid_token\"").And.Contain("expired");
    }

    [Fact]
    public async Task A_token_with_one_character_of_its_payload_changed_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        var parts = fan.AccessToken.Split('.');
        var payload = parts[1].ToCharArray();
        var middle = payload.Length / 2;
        payload[middle] = payload[middle] == 'A' ? 'B' : 'A';
        var tampered = string.Join('.', parts[0], new string(payload), parts[2]);

        using var response = await _client.SendAsync(tampered, HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_token_whose_claims_were_rewritten_to_platform_admin_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        var parts = fan.AccessToken.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Jwt.Base64UrlDecode(parts[1]))!;
        claims["role"] = JsonSerializer.SerializeToElement(new[] { "fan", "platform_admin" });
        var forged = string.Join('.', parts[0], Jwt.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(claims)), parts[2]);

        using var response = await _client.SendAsync(forged, HttpMethod.Get, "/api/admin/users");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task A_token_signed_by_another_key_with_the_same_key_id_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        var descriptor = await ValidTokenAsync(fan.UserId);
        var impostor = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = descriptor.SigningCredentials.Key.KeyId };
        descriptor.SigningCredentials = new SigningCredentials(impostor, SecurityAlgorithms.EcdsaSha256);

        using var response = await _client.SendAsync(Sign(descriptor), HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Theory]
    [InlineData("audience", "another-api")]
    [InlineData("issuer", "https://evil.example.com")]
    [InlineData("type", "JWT")]
    public async Task A_token_for_another_audience_from_another_issuer_or_of_another_type_is_refused(string what, string value)
    {
        var fan = await fixture.Personas.FanAsync();
        var descriptor = await ValidTokenAsync(fan.UserId);
        switch (what)
        {
            case "audience": descriptor.Audience = value; break;
            case "issuer": descriptor.Issuer = value; break;
            default: descriptor.TokenType = value; break;
        }

        using var response = await _client.SendAsync(Sign(descriptor), HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var fan = await fixture.Personas.FanAsync();
        var descriptor = await ValidTokenAsync(fan.UserId);
        descriptor.SigningCredentials = null;
        var unsigned = Sign(descriptor);
        Jwt.Header(unsigned).Text("alg").Should().Be("none");
        using var signed = await _client.SendAsync(fan, HttpMethod.Get, "/api/me"); // the host has fetched the key set before
        await signed.ShouldBeAsync(HttpStatusCode.OK);

        using var response = await _client.SendAsync(unsigned, HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task An_hs256_token_is_refused_even_when_keyed_with_the_public_key()
    {
        var fan = await fixture.Personas.FanAsync();
        var kid = Jwt.Kid(fan.AccessToken);
        var jwks = await _client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        var publicJwk = jwks.GetProperty("keys").EnumerateArray().Single(k => k.Text("kid") == kid).GetRawText();
        byte[][] secrets = [RandomNumberGenerator.GetBytes(32), Encoding.UTF8.GetBytes(publicJwk)];

        foreach (var secret in secrets)
        {
            var descriptor = await ValidTokenAsync(fan.UserId);
            descriptor.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(secret) { KeyId = kid }, SecurityAlgorithms.HmacSha256);
            var token = Sign(descriptor);
            Jwt.Header(token).Text("alg").Should().Be("HS256");

            using var response = await _client.SendAsync(token, HttpMethod.Get, "/api/me");

            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
        }
    }

    [Fact]
    public async Task Garbage_in_the_authorization_header_is_refused()
    {
        using var response = await _client.SendAsync("not.a.jwt", HttpMethod.Get, "/api/me");

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task The_key_set_is_public_and_holds_only_public_p256_keys()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await _client.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));

        var jwks = await response.ShouldBeAsync(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/jwk-set+json");
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        keys.Select(k => k.Text("kid")).Should().Contain(Jwt.Kid(fan.AccessToken));
        keys.Should().OnlyContain(k => k.Text("kty") == "EC" && k.Text("crv") == "P-256" && k.Text("alg") == "ES256" && k.Text("use") == "sig");
        keys.SelectMany(k => k.EnumerateObject().Select(p => p.Name)).Should().NotContain("d", "the private part never leaves the module");
    }

    /// <summary>A descriptor of a token exactly as identity issues them, signed with the host's current key.</summary>
    private async Task<SecurityTokenDescriptor> ValidTokenAsync(Guid userId)
    {
        var credentials = await fixture.Host.Services.GetRequiredService<SigningKeys>().CurrentAsync(CancellationToken.None);
        var now = DateTime.UtcNow;
        return new SecurityTokenDescriptor
        {
            Issuer = "tickettoken",
            Audience = "tickettoken-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            TokenType = "at+jwt",
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object> { ["sub"] = userId.ToString(), ["kind"] = "user", ["role"] = "fan" },
        };
    }

    private static string Sign(SecurityTokenDescriptor descriptor) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
}
