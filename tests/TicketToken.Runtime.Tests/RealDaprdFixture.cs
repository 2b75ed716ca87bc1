using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TicketToken.BuildingBlocks.State;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// Where a real Dapr sidecar comes from, when there is one: sidecars already started with <c>dapr run</c>
/// (<c>DAPR_HTTP_PORT</c> and <c>DAPR_PEER_HTTP_PORT</c>, with the app ports they expect in
/// <c>TICKETTOKEN_TEST_APP_PORT</c> and <c>TICKETTOKEN_TEST_PEER_APP_PORT</c>), or a <c>daprd</c> binary on PATH or in
/// <c>~/.dapr/bin</c>, started here against the placement and scheduler services of <c>dapr init</c>.
/// </summary>
public static class RealDaprd
{
    public static string? ExternalPort => Environment.GetEnvironmentVariable("DAPR_HTTP_PORT") is { Length: > 0 } port ? port : null;

    public static string? Binary { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "bin"))
            .Select(directory => Path.Combine(directory, "daprd"))
            .FirstOrDefault(File.Exists);

    /// <summary>Why the real-sidecar leg cannot run here, or null when it can.</summary>
    public static string? Unavailable => ExternalPort is null && Binary is null
        ? "SKIPPED: no real Dapr sidecar on this machine (no daprd on PATH or in ~/.dapr/bin, DAPR_HTTP_PORT unset). The same test ran against the sidecar double above; see tests/TicketToken.Runtime.Tests/README.md to run it against daprd."
        : null;
}

/// <summary>The Dapr runtime adapter against a real daprd (see <see cref="RealDaprd"/>).</summary>
public sealed class RealDaprdRuntimeFixture : RuntimeFixture
{
    private readonly List<Process> _sidecars = [];
    private readonly Dictionary<string, (int DaprPort, int GrpcPort, int AppPort)> _ports = [];
    private TestHost? _peer;

    public override IStateClient StateOf(string appId) => (appId == PeerModule.Id ? _peer! : Host).GetKeyed<IStateClient>(appId);

    public override Task<int> PendingDeliveriesAsync() => Task.FromResult(0);

    protected override async Task StartInfrastructureAsync()
    {
        if (RealDaprd.Unavailable is not null)
        {
            return;
        }

        if (RealDaprd.ExternalPort is { } external)
        {
            _ports[ConformanceModule.Id] = (int.Parse(external, CultureInfo.InvariantCulture), Required("DAPR_GRPC_PORT"), Required("TICKETTOKEN_TEST_APP_PORT"));
            _ports[PeerModule.Id] = (Required("DAPR_PEER_HTTP_PORT"), Required("DAPR_PEER_GRPC_PORT"), Required("TICKETTOKEN_TEST_PEER_APP_PORT"));
            return;
        }

        var components = Path.Combine(AppContext.BaseDirectory, "daprd-components");
        foreach (var appId in new[] { ConformanceModule.Id, PeerModule.Id })
        {
            var (daprPort, grpcPort, appPort) = (FreePort(), FreePort(), FreePort());
            _ports[appId] = (daprPort, grpcPort, appPort);
            var start = new ProcessStartInfo(RealDaprd.Binary!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                "--app-id", appId, "--app-port", appPort.ToString(CultureInfo.InvariantCulture),
                "--dapr-http-port", daprPort.ToString(CultureInfo.InvariantCulture), "--dapr-grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
                "--dapr-internal-grpc-port", FreePort().ToString(CultureInfo.InvariantCulture), "--metrics-port", FreePort().ToString(CultureInfo.InvariantCulture),
                "--resources-path", components, "--placement-host-address", "localhost:50005", "--scheduler-host-address", "localhost:50006", "--log-level", "warn",
            })
            {
                start.ArgumentList.Add(argument);
            }

            var sidecar = Process.Start(start)!;
            sidecar.BeginOutputReadLine();
            sidecar.BeginErrorReadLine();
            _sidecars.Add(sidecar);
        }

        await Task.CompletedTask;
    }

    protected override async Task StartHostsAsync()
    {
        if (RealDaprd.Unavailable is not null)
        {
            return;
        }

        Host = await TestHost.StartAsync([new ConformanceModule()], Database.ConnectionString, Settings(ConformanceModule.Id),
            urls: $"http://127.0.0.1:{_ports[ConformanceModule.Id].AppPort}");
        _peer = await TestHost.StartAsync([new PeerModule()], Database.ConnectionString, Settings(PeerModule.Id),
            urls: $"http://127.0.0.1:{_ports[PeerModule.Id].AppPort}");
        await Task.Delay(TimeSpan.FromSeconds(3)); // daprd reads /dapr/config and /dapr/subscribe once the app listens
    }

    protected override async Task StopHostsAsync()
    {
        foreach (var host in new[] { Host, _peer })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        foreach (var sidecar in _sidecars)
        {
            sidecar.Kill(entireProcessTree: true);
            await sidecar.WaitForExitAsync();
            sidecar.Dispose();
        }
    }

    protected override IReadOnlyDictionary<string, string?> RuntimeSettings(string appId) => new Dictionary<string, string?>
    {
        ["TicketToken:Runtime"] = "dapr",
        ["TicketToken:Services"] = appId,
        ["DAPR_HTTP_PORT"] = _ports.TryGetValue(appId, out var ports) ? ports.DaprPort.ToString(CultureInfo.InvariantCulture) : null,
        ["DAPR_GRPC_PORT"] = _ports.TryGetValue(appId, out var grpc) ? grpc.GrpcPort.ToString(CultureInfo.InvariantCulture) : null,
    };

    private static int Required(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new InvalidOperationException($"With DAPR_HTTP_PORT set, {variable} must name the port its sidecar expects.");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[RequiresDaprd]
public sealed class RealDaprdStateConformance(RealDaprdRuntimeFixture runtime) : StateConformance(runtime), IClassFixture<RealDaprdRuntimeFixture>;

[RequiresDaprd]
public sealed class RealDaprdPubSubConformance(RealDaprdRuntimeFixture runtime) : PubSubConformance(runtime), IClassFixture<RealDaprdRuntimeFixture>;

[RequiresDaprd]
public sealed class RealDaprdActorConformance(RealDaprdRuntimeFixture runtime) : ActorConformance(runtime), IClassFixture<RealDaprdRuntimeFixture>;

[RequiresDaprd]
public sealed class RealDaprdWorkflowConformance(RealDaprdRuntimeFixture runtime) : WorkflowConformance(runtime), IClassFixture<RealDaprdRuntimeFixture>;

[RequiresDaprd]
public sealed class RealDaprdInvocationConformance(RealDaprdRuntimeFixture runtime) : InvocationConformance(runtime), IClassFixture<RealDaprdRuntimeFixture>;
