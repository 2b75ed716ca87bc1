using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// Registers the Dapr runtime: state, publish, invocation and sidecar health on Dapr.Client; actors through the
/// sidecar's actor API (ADR 0013).
/// </summary>
internal static class DaprRuntime
{
    public static void Add(IServiceCollection services, IConfiguration configuration, HostedApps modules)
    {
        if (modules.AppIds.Count != 1)
        {
            throw new InvalidOperationException(
                $"With TICKETTOKEN__RUNTIME=dapr each process runs one module behind its own sidecar (its app-id); TICKETTOKEN__SERVICES selects {modules.AppIds.Count}: {string.Join(", ", modules.AppIds)}.");
        }

        var appId = modules.AppIds[0];
        var options = DaprOptions.Read(configuration);
        if (options.AppId is { } sidecarAppId && sidecarAppId != appId)
        {
            throw new InvalidOperationException($"The sidecar's app-id is '{sidecarAppId}' but this process runs module '{appId}'; they must be the same.");
        }

        services.AddSingleton(options);
        services.AddSingleton<DaprSidecar>();
        services.AddDaprClient(dapr =>
        {
            dapr.UseHttpEndpoint(options.SidecarAddress.ToString())
                .UseGrpcEndpoint(options.GrpcAddress.ToString())
                .UseJsonSerializationOptions(RuntimeJson.Options);
            if (options.ApiToken is { } token)
            {
                dapr.UseDaprApiToken(token);
            }
        });
        services.AddSingleton<IRuntimeBootstrap, DaprBootstrap>();
        services.AddSingleton<IRuntimeEndpoints, DaprAppEndpoints>();
        services.AddSingleton<IActorStateStore, DaprActorStateStore>();
        services.AddSingleton<IActorTimerScheduler, DaprActorTimerScheduler>();
        services.AddSingleton<IActorInvoker, DaprActorInvoker>();
        services.AddKeyedSingleton<IStateClient>(appId, (sp, _) => new DaprStateClient(sp.GetRequiredService<DaprClient>()));
        services.AddKeyedSingleton<IEventPublisher>(appId, (sp, _) => new DaprEventPublisher(appId, sp.GetRequiredService<DaprClient>(), sp.GetRequiredService<TimeProvider>()));
        services.AddKeyedSingleton<IServiceInvoker>(appId, (sp, _) => new DaprServiceInvoker(sp.GetRequiredService<DaprSidecar>()));
        services.AddHealthChecks().AddCheck<DaprSidecarCheck>("dapr-sidecar", tags: ["ready"]);
    }
}

/// <summary>
/// Waits for the sidecar (Dapr.Client's <c>WaitForSidecarAsync</c>, which asks <c>/v1.0/healthz/outbound</c>: that
/// answers before the sidecar has reached the app, and waiting on <c>/v1.0/healthz</c> would deadlock, since the
/// sidecar waits for our port). The SDK's wait has no limit of its own; <c>DAPR_HEALTH_TIMEOUT</c> is ours.
/// </summary>
internal sealed class DaprBootstrap(DaprClient dapr, DaprOptions options, ILogger<DaprBootstrap> logger) : IRuntimeBootstrap
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.SidecarWaitTimeout);
        try
        {
            await dapr.WaitForSidecarAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DaprException($"The Dapr sidecar at {options.SidecarAddress} did not become ready within {options.SidecarWaitTimeout.TotalSeconds:0} s (DAPR_HEALTH_TIMEOUT).");
        }

        logger.LogInformation("Dapr sidecar at {Sidecar} is ready", options.SidecarAddress);
    }
}

internal sealed class DaprSidecarCheck(DaprClient dapr, DaprOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        bool ready;
        try
        {
            ready = await dapr.CheckOutboundHealthAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ready = false;
        }

        return ready ? HealthCheckResult.Healthy("Dapr sidecar reachable.") : HealthCheckResult.Unhealthy($"Dapr sidecar at {options.SidecarAddress} is not ready.");
    }
}
