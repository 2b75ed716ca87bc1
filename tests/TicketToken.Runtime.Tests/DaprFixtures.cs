using TicketToken.BuildingBlocks.State;
using TicketToken.Dapr.SidecarDouble;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// The Dapr runtime adapter against the in-repo sidecar double: one sidecar per app-id on a shared backplane,
/// with DAPR_API_TOKEN and APP_API_TOKEN both set, so every call in both directions proves it carries its token.
/// </summary>
public class DaprDoubleRuntimeFixture : RuntimeFixture
{
    public const string ApiToken = "dapr-api-token-of-the-tests";
    public const string AppToken = "app-api-token-of-the-tests";
    private static int _reported;
    private readonly IMessageSink _diagnostics;
    private readonly Dictionary<string, SidecarDouble> _sidecars = [];
    private TestHost? _peer;

    public DaprDoubleRuntimeFixture(IMessageSink diagnostics) : this(diagnostics, hostInProcess: true)
    {
    }

    protected DaprDoubleRuntimeFixture(IMessageSink diagnostics, bool hostInProcess) : base(hostInProcess) => _diagnostics = diagnostics;

    public DaprBackplane Backplane { get; private set; } = null!;

    public SidecarDouble SidecarOf(string appId) => _sidecars[appId];

    public override IStateClient StateOf(string appId) =>
        (appId == PeerModule.Id ? _peer! : Host).GetKeyed<IStateClient>(appId);

    public override Task<int> PendingDeliveriesAsync() => Task.FromResult(Backplane.PendingDeliveries);

    protected override async Task StartInfrastructureAsync()
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0)
        {
            _diagnostics.OnMessage(new DiagnosticMessage("The Dapr conformance classes run against the in-repo sidecar double, which implements these documented behaviours:"));
            foreach (var behaviour in SidecarDouble.DocumentedBehaviours)
            {
                _diagnostics.OnMessage(new DiagnosticMessage("  - " + behaviour));
            }
        }

        Backplane = new DaprBackplane(new DaprBackplaneOptions { DeliveryRetries = 3, DeliveryRetryInterval = TimeSpan.FromMilliseconds(50), ReminderRetryMax = TimeSpan.FromSeconds(2) });
        foreach (var appId in new[] { ConformanceModule.Id, PeerModule.Id })
        {
            _sidecars[appId] = await SidecarDouble.StartAsync(Backplane, new SidecarDoubleOptions { AppId = appId, ApiToken = ApiToken, AppApiToken = AppToken });
        }
    }

    protected override async Task StartHostsAsync()
    {
        Host = await TestHost.StartAsync([new ConformanceModule()], Database.ConnectionString, Settings(ConformanceModule.Id));
        await _sidecars[ConformanceModule.Id].ConnectAppAsync(Host.BaseAddress);
        _peer = await TestHost.StartAsync([new PeerModule()], Database.ConnectionString, Settings(PeerModule.Id));
        await _sidecars[PeerModule.Id].ConnectAppAsync(_peer.BaseAddress);
    }

    protected override Task ChildStartedAsync(ChildHost child) => _sidecars[ConformanceModule.Id].ConnectAppAsync(child.BaseAddress);

    protected override async Task StopHostsAsync()
    {
        foreach (var host in new[] { Host, _peer })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        foreach (var sidecar in _sidecars.Values)
        {
            await sidecar.DisposeAsync();
        }

        if (Backplane is not null)
        {
            await Backplane.DisposeAsync();
        }
    }

    protected override IReadOnlyDictionary<string, string?> RuntimeSettings(string appId) => new Dictionary<string, string?>
    {
        ["TicketToken:Runtime"] = "dapr",
        ["TicketToken:Services"] = appId,
        ["DAPR_HTTP_PORT"] = _sidecars[appId].Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DAPR_GRPC_PORT"] = _sidecars[appId].GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["DAPR_API_TOKEN"] = ApiToken,
        ["APP_API_TOKEN"] = AppToken,
        ["APP_ID"] = appId,
    };
}

/// <summary>The sidecar double with no host in the test process: the crash tests run the app as a child process.</summary>
public sealed class DaprDoubleChildProcessFixture(IMessageSink diagnostics) : DaprDoubleRuntimeFixture(diagnostics, hostInProcess: false);

public sealed class DaprStateConformance(DaprDoubleRuntimeFixture runtime) : StateConformance(runtime), IClassFixture<DaprDoubleRuntimeFixture>;

public sealed class DaprPubSubConformance(DaprDoubleRuntimeFixture runtime) : PubSubConformance(runtime), IClassFixture<DaprDoubleRuntimeFixture>;

public sealed class DaprActorConformance(DaprDoubleRuntimeFixture runtime) : ActorConformance(runtime), IClassFixture<DaprDoubleRuntimeFixture>;

public sealed class DaprWorkflowConformance(DaprDoubleRuntimeFixture runtime) : WorkflowConformance(runtime), IClassFixture<DaprDoubleRuntimeFixture>;

public sealed class DaprInvocationConformance(DaprDoubleRuntimeFixture runtime) : InvocationConformance(runtime), IClassFixture<DaprDoubleRuntimeFixture>;

public sealed class DaprCrashConformance(DaprDoubleChildProcessFixture runtime) : CrashConformance(runtime), IClassFixture<DaprDoubleChildProcessFixture>;
