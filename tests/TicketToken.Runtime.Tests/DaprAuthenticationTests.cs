using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Dapr.SidecarDouble;
using TicketToken.Identity;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// In the Dapr runtime every module is its own process: a module that is not identity validates access tokens
/// with the key set it fetches from identity by service invocation through its sidecar. No secret is shared.
/// </summary>
public sealed class DaprAuthenticationTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();
    private DaprBackplane _backplane = null!;
    private SidecarDouble _identitySidecar = null!;
    private SidecarDouble _guardedSidecar = null!;
    private TestHost _identity = null!;
    private TestHost _guarded = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _backplane = new DaprBackplane(new DaprBackplaneOptions());
        _identitySidecar = await SidecarDouble.StartAsync(_backplane, new SidecarDoubleOptions { AppId = IdentityModule.Id });
        _guardedSidecar = await SidecarDouble.StartAsync(_backplane, new SidecarDoubleOptions { AppId = GuardedModule.Id });
        _identity = await TestHost.StartAsync([new IdentityModule()], _database.ConnectionString, Settings(IdentityModule.Id, _identitySidecar));
        await _identitySidecar.ConnectAppAsync(_identity.BaseAddress);
        _guarded = await TestHost.StartAsync([new GuardedModule()], _database.ConnectionString, Settings(GuardedModule.Id, _guardedSidecar));
        await _guardedSidecar.ConnectAppAsync(_guarded.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        await _guarded.DisposeAsync();
        await _identity.DisposeAsync();
        await _guardedSidecar.DisposeAsync();
        await _identitySidecar.DisposeAsync();
        await _backplane.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_module_in_another_process_accepts_identitys_tokens_through_the_sidecar_and_refuses_others()
    {
        var fan = await new Personas(_identity.Client).FanAsync();

        using var accepted = await WhoAmIAsync(fan.AccessToken);
        using var anonymous = await WhoAmIAsync(null);
        using var tampered = await WhoAmIAsync(fan.AccessToken[..^4] + (fan.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"));

        accepted.StatusCode.Should().Be(HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("userId").GetGuid().Should().Be(fan.UserId);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        tampered.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        _guarded.Services.GetRequiredService<JwksKeyCache>().Keys.Should().NotBeEmpty("the keys came from identity through the sidecar");
        _guarded.Services.GetRequiredService<AuthOptions>().JwksUrl.Should().BeNull("no direct URL: service invocation is the only way to identity");
    }

    [Fact]
    public async Task After_a_key_rotation_the_other_process_accepts_old_and_new_tokens()
    {
        var personas = new Personas(_identity.Client);
        var before = await personas.FanAsync();
        using (var warm = await WhoAmIAsync(before.AccessToken))
        {
            warm.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var admin = await personas.PlatformAdminAsync();
        using (var rotate = admin.Request(HttpMethod.Post, "/api/admin/signing-keys/rotate"))
        using (var rotated = await _identity.Client.SendAsync(rotate))
        {
            rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var after = await personas.LoginAsync(before.Email);
        using var old = await WhoAmIAsync(before.AccessToken);
        using var fresh = await WhoAmIAsync(after.AccessToken);

        old.StatusCode.Should().Be(HttpStatusCode.OK, "tokens signed by the previous key stay valid until they expire");
        fresh.StatusCode.Should().Be(HttpStatusCode.OK, "an unknown key id makes the cache fetch the key set first");
    }

    private async Task<HttpResponseMessage> WhoAmIAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/guarded/whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _guarded.Client.SendAsync(request);
    }

    private static Dictionary<string, string?> Settings(string appId, SidecarDouble sidecar) => new()
    {
        ["TicketToken:Runtime"] = "dapr",
        ["TicketToken:Services"] = appId,
        ["DAPR_HTTP_PORT"] = sidecar.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["APP_ID"] = appId,
    };

    /// <summary>A module with one route that needs a fan's token, standing in for any module that is not identity.</summary>
    private sealed class GuardedModule : Module
    {
        public const string Id = "guarded";

        public override string AppId => Id;

        public override void MapEndpoints(IEndpointRouteBuilder endpoints) =>
            endpoints.MapGet("/guarded/whoami", (Caller caller) => Results.Ok(new { userId = caller.UserId }))
                .RequireAuthorization(Policies.Fan).WithName("GuardedWhoAmI");
    }
}
