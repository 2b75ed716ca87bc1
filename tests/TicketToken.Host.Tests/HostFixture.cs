using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>The host with every module of the real binary, on a fresh database, for one test class.</summary>
public class HostFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public TestHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    protected virtual IReadOnlyList<Module> Modules => HostModules.All();

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await TestHost.StartAsync(Modules, Database.ConnectionString, Settings);
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>The real modules plus <see cref="FaultModule"/>, whose routes fail on purpose.</summary>
public sealed class HostWithFaultsFixture : HostFixture
{
    protected override IReadOnlyList<Module> Modules => [.. HostModules.All(), new FaultModule()];
}

/// <summary>A rate limit small enough to hit from a test: a burst of 2, then 1 request per second.</summary>
public sealed class RateLimitedHostFixture : HostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["TicketToken:RateLimiting:Enabled"] = "true",
        ["TicketToken:RateLimiting:PermitsPerSecond"] = "1",
        ["TicketToken:RateLimiting:Burst"] = "2",
    };
}
