using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>Registers the Dapr runtime: every building block through the sidecar's HTTP API.</summary>
internal static class DaprRuntime
{
    public static void Add(IServiceCollection services, IConfiguration configuration, ModuleSelection modules)
    {
        if (modules.Modules.Count != 1)
        {
            throw new InvalidOperationException(
                $"With TICKETTOKEN__RUNTIME=dapr each process runs one module behind its own sidecar (its app-id); TICKETTOKEN__SERVICES selects {modules.Modules.Count}: {string.Join(", ", modules.AppIds)}.");
        }

        var appId = modules.Modules[0].AppId;
        var options = DaprOptions.Read(configuration);
        if (options.AppId is { } sidecarAppId && sidecarAppId != appId)
        {
            throw new InvalidOperationException($"The sidecar's app-id is '{sidecarAppId}' but this process runs module '{appId}'; they must be the same.");
        }

        services.AddSingleton(options);
        services.AddSingleton<DaprSidecar>();
        services.AddSingleton<IRuntimeBootstrap, DaprBootstrap>();
        services.AddSingleton<IRuntimeEndpoints, DaprAppEndpoints>();
        services.AddSingleton<IActorStateStore, DaprActorStateStore>();
        services.AddSingleton<IActorTimerScheduler, DaprActorTimerScheduler>();
        services.AddSingleton<IActorInvoker, DaprActorInvoker>();
        services.AddKeyedSingleton<IStateClient>(appId, (sp, _) => new DaprStateClient(sp.GetRequiredService<DaprSidecar>()));
        services.AddKeyedSingleton<IEventPublisher>(appId, (sp, _) => new DaprEventPublisher(appId, sp.GetRequiredService<DaprSidecar>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IServiceInvoker>(appId, (sp, _) => new DaprServiceInvoker(sp.GetRequiredService<DaprSidecar>()));
        services.AddHealthChecks().AddCheck<DaprSidecarCheck>("dapr-sidecar", tags: ["ready"]);
    }
}

/// <summary>
/// Waits for the sidecar with <c>/v1.0/healthz/outbound</c>, which answers before the sidecar has reached the app:
/// waiting on <c>/v1.0/healthz</c> instead would deadlock, since the sidecar waits for our port.
/// </summary>
internal sealed class DaprBootstrap(DaprSidecar sidecar, ILogger<DaprBootstrap> logger) : IRuntimeBootstrap
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var lastLog = TimeSpan.Zero;
        while (!await DaprSidecarCheck.OutboundReadyAsync(sidecar, cancellationToken))
        {
            if (waited.Elapsed > sidecar.Options.SidecarWaitTimeout)
            {
                throw new DaprException($"The Dapr sidecar at {sidecar.Options.SidecarAddress} did not become ready within {sidecar.Options.SidecarWaitTimeout.TotalSeconds:0} s (DAPR_HEALTH_TIMEOUT).");
            }

            if (waited.Elapsed - lastLog > TimeSpan.FromSeconds(5))
            {
                logger.LogWarning("Waiting for the Dapr sidecar at {Sidecar}", sidecar.Options.SidecarAddress);
                lastLog = waited.Elapsed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        logger.LogInformation("Dapr sidecar at {Sidecar} is ready", sidecar.Options.SidecarAddress);
    }
}

internal sealed class DaprSidecarCheck(DaprSidecar sidecar) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await OutboundReadyAsync(sidecar, cancellationToken)
            ? HealthCheckResult.Healthy("Dapr sidecar reachable.")
            : HealthCheckResult.Unhealthy($"Dapr sidecar at {sidecar.Options.SidecarAddress} is not ready.");

    internal static async Task<bool> OutboundReadyAsync(DaprSidecar sidecar, CancellationToken cancellationToken)
    {
        try
        {
            using var client = sidecar.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(2);
            using var response = await client.GetAsync("v1.0/healthz/outbound", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
