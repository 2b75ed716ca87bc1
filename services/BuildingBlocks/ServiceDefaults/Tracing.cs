using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// W3C trace context everywhere: ASP.NET Core continues an incoming <c>traceparent</c>, HttpClient and
/// CloudEvents carry it on. With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics are exported by OTLP.
/// </summary>
internal static class Tracing
{
    public static readonly string[] Sources = ["TicketToken.*", "Microsoft.AspNetCore", "System.Net.Http"];

    private static readonly Lazy<ActivityListener> Listener = new(() =>
    {
        // Without any listener ASP.NET Core creates no Activity, and logs would have no trace id to show.
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("TicketToken", StringComparison.Ordinal)
                || source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = static (ref ActivityCreationOptions<ActivityContext> options) => ActivitySamplingResult.PropagationData,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    });

    public static void AddTicketTokenTracing(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        _ = Listener.Value;
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(Sources)
            .AddOtlpExporter()
            .Build());
        services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("TicketToken.*")
            .AddOtlpExporter()
            .Build());
        services.AddHostedService<TelemetryExport>();
    }

    /// <summary>Resolving the providers is what starts them.</summary>
    private sealed class TelemetryExport(TracerProvider tracer, MeterProvider meter) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracer.ForceFlush(2_000);
            meter.ForceFlush(2_000);
            return Task.CompletedTask;
        }
    }
}
