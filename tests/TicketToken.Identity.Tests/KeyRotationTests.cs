using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Identity.Tests;

/// <summary>Rotating the signing key on a host of its own (a rotation changes what every later token of the host is signed with).</summary>
public sealed class KeyRotationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Rotating_the_signing_key_signs_new_tokens_with_the_new_key_and_keeps_old_tokens_valid()
    {
        var fan = await fixture.Personas.FanAsync();
        var oldKid = Jwt.Kid(fan.AccessToken);
        using var before = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await before.ShouldBeAsync(HttpStatusCode.OK);
        var admin = await fixture.Personas.PlatformAdminAsync();

        using var rotated = await _client.SendAsync(admin, HttpMethod.Post, "/api/admin/signing-keys/rotate");

        var newKid = (await rotated.ShouldBeAsync(HttpStatusCode.OK)).Text("kid");
        newKid.Should().NotBe(oldKid);
        using var oldTokenStillWorks = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await oldTokenStillWorks.ShouldBeAsync(HttpStatusCode.OK);
        var signedInAgain = await fixture.Personas.LoginAsync(fan.Email);
        Jwt.Kid(signedInAgain.AccessToken).Should().Be(newKid);
        using var newTokenWorks = await _client.SendAsync(signedInAgain, HttpMethod.Get, "/api/me");
        await newTokenWorks.ShouldBeAsync(HttpStatusCode.OK);
        var jwks = await _client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        jwks.GetProperty("keys").EnumerateArray().Select(k => k.Text("kid")).Should().Contain([oldKid, newKid]);
        using var oldTokenStillWorksAfterwards = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await oldTokenStillWorksAfterwards.ShouldBeAsync(HttpStatusCode.OK);
    }
}
