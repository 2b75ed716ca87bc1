using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Identity.Tests;

/// <summary>
/// A signing key retired by a rotation, on a host of its own whose tokens live three seconds
/// (<see cref="ShortLifetimesFixture"/>): it verifies what it signed until that expired, then leaves the key set.
/// </summary>
public sealed class RetiredKeyTests(ShortLifetimesFixture fixture) : IClassFixture<ShortLifetimesFixture>
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(300);
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task After_a_rotation_the_old_key_verifies_its_tokens_until_they_expire_and_then_leaves_the_key_set()
    {
        var fan = await fixture.Personas.FanAsync();
        var oldKid = Jwt.Kid(fan.AccessToken);
        using var warm = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await warm.ShouldBeAsync(HttpStatusCode.OK);
        var admin = await fixture.Personas.PlatformAdminAsync();

        using var rotated = await _client.SendAsync(admin, HttpMethod.Post, "/api/admin/signing-keys/rotate");
        var newKid = (await rotated.ShouldBeAsync(HttpStatusCode.OK)).Text("kid");

        using var oldStillValid = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await oldStillValid.ShouldBeAsync(HttpStatusCode.OK);
        (await KidsAsync()).Should().Contain([oldKid, newKid]);
        await Task.Delay(ShortLifetimesFixture.TokenLifetime + Margin);
        using var oldExpired = await _client.SendAsync(fan, HttpMethod.Get, "/api/me");
        await oldExpired.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        (await KidsAsync()).Should().Contain(newKid).And.NotContain(oldKid, "every token the retired key signed has expired");
        var signedInAgain = await fixture.Personas.LoginAsync(fan.Email);
        Jwt.Kid(signedInAgain.AccessToken).Should().Be(newKid);
        using var fresh = await _client.SendAsync(signedInAgain, HttpMethod.Get, "/api/me");
        await fresh.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<IReadOnlyList<string>> KidsAsync()
    {
        var jwks = await _client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        return [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.Text("kid"))];
    }
}
