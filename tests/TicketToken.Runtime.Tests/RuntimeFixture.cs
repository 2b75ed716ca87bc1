using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.State;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// One runtime under test: a host running the conformance module on a fresh database, and a way to run
/// the same module in a child process for the crash tests. The Dapr adapter adds a fixture of its own.
/// </summary>
public abstract class RuntimeFixture(bool hostInProcess = true) : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public TestHost Host { get; private set; } = null!;

    public IStateClient State => Host.GetKeyed<IStateClient>(ConformanceModule.Id);

    public IEventPublisher Publisher => Host.GetKeyed<IEventPublisher>(ConformanceModule.Id);

    public IWorkflowClient Workflows => Host.GetKeyed<IWorkflowClient>(ConformanceModule.Id);

    public IActorProxyFactory Actors => (IActorProxyFactory)Host.Services.GetService(typeof(IActorProxyFactory))!;

    /// <summary>Settings specific to the runtime (its name, its sidecar...).</summary>
    protected abstract IReadOnlyDictionary<string, string?> RuntimeSettings { get; }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        if (hostInProcess)
        {
            Host = await TestHost.StartAsync([new ConformanceModule(), new PeerModule()], Database.ConnectionString, Settings());
        }
    }

    public async Task DisposeAsync()
    {
        if (hostInProcess)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    /// <summary>Starts the conformance host as a separate process on this fixture's database.</summary>
    public Task<ChildHost> StartChildAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = Settings()
            .Where(s => s.Value is not null)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        environment["TicketToken__Postgres"] = Database.ConnectionString;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var assembly = Path.Combine(AppContext.BaseDirectory, "TicketToken.Runtime.ConformanceHost.dll");
        return ChildHost.StartAsync(assembly, environment);
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(TestHost.Defaults)
        {
            ["TicketToken:Actors:IdleTimeout"] = "00:00:01",
            ["TicketToken:Actors:ScanInterval"] = "00:00:00.200",
            ["TicketToken:Embedded:DeliveryMaxAttempts"] = "4",
        };
        foreach (var (key, value) in RuntimeSettings)
        {
            settings[key] = value;
        }

        return settings;
    }
}

public sealed class EmbeddedRuntimeFixture : RuntimeFixture
{
    internal static readonly IReadOnlyDictionary<string, string?> Embedded = new Dictionary<string, string?> { ["TicketToken:Runtime"] = "embedded" };

    protected override IReadOnlyDictionary<string, string?> RuntimeSettings => Embedded;
}

/// <summary>The embedded runtime with no host in the test process: the crash tests' child processes take the database's runtime lease.</summary>
public sealed class EmbeddedChildProcessFixture() : RuntimeFixture(hostInProcess: false)
{
    protected override IReadOnlyDictionary<string, string?> RuntimeSettings => EmbeddedRuntimeFixture.Embedded;
}
