using System.Globalization;
using TicketToken.Dapr.SidecarDouble;
using TicketToken.Host;
using TicketToken.Testing.Identity;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketToken.Microservices.Tests;

/// <summary>
/// The platform as Kubernetes runs it, on one machine: every module of the host (<see cref="HostModules"/>, so a new
/// module joins by being added there) is its own <c>TicketToken.Host</c> process with <c>TICKETTOKEN__RUNTIME=dapr</c>,
/// next to its own sidecar double (both API tokens set); the sidecars share one backplane (state, broker, placement,
/// reminders), the modules share one PostgreSQL server as their own schemas, and a front door routes like the ingress.
/// </summary>
public sealed class Cluster(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_microservices_journey";
    private const string ApiToken = "cluster-dapr-api-token";
    private const string AppToken = "cluster-app-api-token";

    private readonly Dictionary<string, SidecarDouble> _sidecars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChildHost> _processes = new(StringComparer.Ordinal);

    public PostgresDatabase Database { get; } = new();

    public DaprBackplane Backplane { get; private set; } = null!;

    public FrontDoor FrontDoor { get; private set; } = null!;

    /// <summary>A client of the front door, as a browser or the mobile app talks to the platform.</summary>
    public HttpClient Client { get; private set; } = null!;

    public Personas Personas { get; private set; } = null!;

    public IReadOnlyList<string> AppIds { get; } = [.. HostModules.All().Select(m => m.AppId)];

    /// <summary>What every module process is told besides its runtime: the test host defaults and the simulated gateway.</summary>
    private Dictionary<string, string> Settings(string appId)
    {
        var settings = ChildHost.EnvironmentOf(TestHost.Defaults);
        settings["TicketToken__Identity__MaxFailuresPerAddress"] = "100000";
        settings["TicketToken__Orders__TaxRates__DE"] = "1900";
        settings["TicketToken__Payments__Gateway"] = "simulated";
        settings["TicketToken__Payments__WebhookSecret"] = WebhookSecret;
        settings["TicketToken__Postgres"] = Database.ConnectionString;
        settings["TICKETTOKEN__SERVICES"] = appId;
        settings["TICKETTOKEN__RUNTIME"] = "dapr";
        settings["APP_ID"] = appId;
        settings["DAPR_HTTP_PORT"] = _sidecars[appId].Port.ToString(CultureInfo.InvariantCulture);
        settings["DAPR_GRPC_PORT"] = _sidecars[appId].GrpcPort.ToString(CultureInfo.InvariantCulture);
        settings["DAPR_API_TOKEN"] = ApiToken;
        settings["APP_API_TOKEN"] = AppToken;
        return settings;
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Backplane = new DaprBackplane(new DaprBackplaneOptions { DeliveryRetries = 20, DeliveryRetryInterval = TimeSpan.FromMilliseconds(200) });
        FrontDoor = await FrontDoor.StartAsync(Path.Combine(AppContext.BaseDirectory, "chart-values.yaml"));
        foreach (var appId in AppIds)
        {
            _sidecars[appId] = await SidecarDouble.StartAsync(Backplane, new SidecarDoubleOptions { AppId = appId, ApiToken = ApiToken, AppApiToken = AppToken });
        }

        diagnostics.OnMessage(new DiagnosticMessage($"Microservices mode: starting {string.Join(", ", AppIds)}, each its own process on the Dapr runtime with a sidecar double."));
        await Task.WhenAll(AppIds.Select(StartAsync));
        Client = new HttpClient { BaseAddress = FrontDoor.Address, Timeout = TimeSpan.FromSeconds(100) };
        Personas = new Personas(Client);
    }

    /// <summary>Starts the module's process, waits until it is ready, and lets its sidecar and the front door reach it.</summary>
    public async Task StartAsync(string appId)
    {
        var process = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), Settings(appId), TimeSpan.FromMinutes(3));
        lock (_processes)
        {
            _processes[appId] = process;
        }

        await _sidecars[appId].ConnectAppAsync(process.BaseAddress);
        FrontDoor.Route(appId, process.BaseAddress);
    }

    /// <summary>SIGKILL of the module's process: no shutdown code runs; its sidecar finds the app gone.</summary>
    public async Task KillAsync(string appId)
    {
        ChildHost process;
        lock (_processes)
        {
            process = _processes[appId];
            _processes.Remove(appId);
        }

        _sidecars[appId].DisconnectApp();
        await process.KillAsync();
        await process.DisposeAsync();
    }

    public string OutputOf(string appId)
    {
        lock (_processes)
        {
            return _processes.TryGetValue(appId, out var process) ? process.Output : "(not running)";
        }
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }

        foreach (var sidecar in _sidecars.Values)
        {
            await sidecar.DisposeAsync();
        }

        if (FrontDoor is not null)
        {
            await FrontDoor.DisposeAsync();
        }

        if (Backplane is not null)
        {
            await Backplane.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
