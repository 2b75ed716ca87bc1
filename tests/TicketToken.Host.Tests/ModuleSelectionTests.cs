using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>One binary, any set of modules (TICKETTOKEN__SERVICES) on the chosen runtime (TICKETTOKEN__RUNTIME); a wrong choice stops the start with a clear message.</summary>
public sealed class ModuleSelectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly IReadOnlyList<Module> Available = [.. HostModules.All(), new FaultModule()];

    [Fact]
    public async Task A_host_started_with_only_the_identity_module_serves_the_identity_api_and_nothing_else()
    {
        await using var host = await TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Services", "identity"));

        using var registered = await host.Client.PostAsync("/api/auth/register", Body.Json("""{"email":"selected@example.com","password":"correct horse battery staple"}"""));
        using var keys = await host.Client.GetAsync("/.well-known/jwks.json");

        registered.StatusCode.Should().Be(HttpStatusCode.Accepted, await registered.Content.ReadAsStringAsync());
        keys.StatusCode.Should().Be(HttpStatusCode.OK);
        var routes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText ?? "").ToList();
        routes.Should().Contain(route => route.StartsWith("/api/auth/", StringComparison.Ordinal));
        routes.Should().NotContain(route => route.StartsWith("/test/faults", StringComparison.Ordinal), "the faults module was not selected, so none of its routes is mapped");
    }

    [Fact]
    public async Task An_unknown_module_stops_the_start_and_lists_the_known_ones()
    {
        var start = () => TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Services", "identity,nope"));

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("nope").And.Contain("known: all, " + string.Join(", ", Available.Select(m => m.AppId)));
    }

    [Fact]
    public async Task The_dapr_runtime_runs_one_module_per_process()
    {
        var start = () => TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Runtime", "dapr"));

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("one module").And.Contain(string.Join(", ", Available.Select(m => m.AppId)));
    }

    [Fact]
    public async Task The_dapr_runtime_stops_the_start_when_no_sidecar_answers()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TicketToken:Runtime"] = "dapr",
            ["TicketToken:Services"] = "identity",
            ["DAPR_HTTP_PORT"] = "9", // discard: nothing listens there
            ["DAPR_HEALTH_TIMEOUT"] = "1",
        };

        var start = () => TestHost.StartAsync(Available, database.ConnectionString, settings);

        (await start.Should().ThrowAsync<Exception>()).Which.Message.Should().Contain("sidecar").And.Contain("DAPR_HEALTH_TIMEOUT");
    }

    [Fact]
    public async Task An_unknown_runtime_stops_the_start()
    {
        var start = () => TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Runtime", "bogus"));

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("bogus").And.Contain("use 'embedded' or 'dapr'");
    }

    private static Dictionary<string, string?> Settings(string key, string value) => new() { [key] = value };
}
