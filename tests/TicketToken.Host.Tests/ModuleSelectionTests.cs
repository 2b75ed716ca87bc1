using System.Net;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>One binary, any set of modules (TICKETTOKEN__SERVICES) on the chosen runtime (TICKETTOKEN__RUNTIME); a wrong choice stops the start with a clear message.</summary>
public sealed class ModuleSelectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly IReadOnlyList<Module> Available = [.. HostModules.All(), new FaultModule()];

    [Fact]
    public async Task A_host_started_with_only_the_sample_module_serves_the_sample_api_and_nothing_else()
    {
        await using var host = await TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Services", "sample"));

        using var created = await host.Client.PostAsync("/api/sample/notes", Body.Json("""{"text":"selected"}"""));
        using var fault = await host.Client.GetAsync("/test/faults/seat-unavailable");

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        fault.StatusCode.Should().Be(HttpStatusCode.NotFound, "the faults module was not selected");
    }

    [Fact]
    public async Task An_unknown_module_stops_the_start_and_lists_the_known_ones()
    {
        var start = () => TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Services", "sample,nope"));

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("nope").And.Contain("known: all, sample, faults");
    }

    [Fact]
    public async Task The_dapr_runtime_runs_one_module_per_process()
    {
        var start = () => TestHost.StartAsync(Available, database.ConnectionString, Settings("TicketToken:Runtime", "dapr"));

        var failure = await start.Should().ThrowAsync<InvalidOperationException>();
        failure.Which.Message.Should().Contain("one module").And.Contain("sample, faults");
    }

    [Fact]
    public async Task The_dapr_runtime_stops_the_start_when_no_sidecar_answers()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TicketToken:Runtime"] = "dapr",
            ["TicketToken:Services"] = "sample",
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
