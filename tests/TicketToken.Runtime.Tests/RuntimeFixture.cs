using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.State;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// One runtime under test: a host running the conformance module on a fresh database (and the peer module,
/// as a second app), and a way to run the conformance module in a child process for the crash tests.
/// Each runtime supplies its own fixture; the conformance classes do not know which one they run on.
/// </summary>
public abstract class RuntimeFixture(bool hostInProcess = true) : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    /// <summary>The host running the conformance module.</summary>
    public TestHost Host { get; protected set; } = null!;

    public IStateClient State => StateOf(ConformanceModule.Id);

    public IEventPublisher Publisher => Host.GetKeyed<IEventPublisher>(ConformanceModule.Id);

    public IWorkflowClient Workflows => Host.GetKeyed<IWorkflowClient>(ConformanceModule.Id);

    public IActorProxyFactory Actors => (IActorProxyFactory)Host.Services.GetService(typeof(IActorProxyFactory))!;

    /// <summary>The state client of an app by its app-id (the conformance module or the peer module).</summary>
    public abstract IStateClient StateOf(string appId);

    /// <summary>Events the runtime accepted and has not yet acknowledged, dropped or dead-lettered.</summary>
    public abstract Task<int> PendingDeliveriesAsync();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await StartInfrastructureAsync();
        if (hostInProcess)
        {
            await StartHostsAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await StopHostsAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Starts the conformance host as a separate process on this fixture's database.</summary>
    public async Task<ChildHost> StartChildAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = ChildHost.EnvironmentOf(Settings(ConformanceModule.Id));
        environment["TicketToken__Postgres"] = Database.ConnectionString;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var child = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Runtime.ConformanceHost.dll"), environment);
        await ChildStartedAsync(child);
        return child;
    }

    /// <summary>What the runtime needs before any host starts (sidecars); runs for child-process fixtures too.</summary>
    protected virtual Task StartInfrastructureAsync() => Task.CompletedTask;

    protected abstract Task StartHostsAsync();

    protected abstract Task StopHostsAsync();

    /// <summary>What must happen once a child host is up (a sidecar connects to it).</summary>
    protected virtual Task ChildStartedAsync(ChildHost child) => Task.CompletedTask;

    /// <summary>Settings of the runtime for one app (its name, its sidecar...).</summary>
    protected abstract IReadOnlyDictionary<string, string?> RuntimeSettings(string appId);

    protected Dictionary<string, string?> Settings(string appId)
    {
        var settings = new Dictionary<string, string?>(TestHost.Defaults)
        {
            ["TicketToken:Actors:IdleTimeout"] = "00:00:01",
            ["TicketToken:Actors:ScanInterval"] = "00:00:00.200",
            ["TicketToken:Embedded:DeliveryMaxAttempts"] = "4",
        };
        foreach (var (key, value) in RuntimeSettings(appId))
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>The embedded runtime: both modules in one host, everything in PostgreSQL.</summary>
public class EmbeddedRuntimeFixture : RuntimeFixture
{
    public EmbeddedRuntimeFixture()
    {
    }

    protected EmbeddedRuntimeFixture(bool hostInProcess) : base(hostInProcess)
    {
    }

    public override IStateClient StateOf(string appId) => Host.GetKeyed<IStateClient>(appId);

    public override Task<int> PendingDeliveriesAsync() => Database.ScalarAsync<int>("select count(*) from runtime.deliveries");

    protected override async Task StartHostsAsync() =>
        Host = await TestHost.StartAsync([new ConformanceModule(), new PeerModule()], Database.ConnectionString, Settings(ConformanceModule.Id));

    protected override async Task StopHostsAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }

    protected override IReadOnlyDictionary<string, string?> RuntimeSettings(string appId) =>
        new Dictionary<string, string?> { ["TicketToken:Runtime"] = "embedded" };
}

/// <summary>The embedded runtime with no host in the test process: the crash tests' child processes take the database's runtime lease.</summary>
public sealed class EmbeddedChildProcessFixture() : EmbeddedRuntimeFixture(hostInProcess: false);
