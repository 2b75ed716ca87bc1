using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// W3C trace context everywhere (OpenTelemetry.Extensions.Hosting): ASP.NET Core continues an incoming
/// <c>traceparent</c>, HttpClient and CloudEvents carry it on, Npgsql commands are spans of the request that ran
/// them. With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, traces and metrics are exported by OTLP.
/// </summary>
internal static class Tracing
{
    public static readonly string[] Sources = ["TicketToken.*"];

    public static void AddTicketTokenTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var export = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        // W3C trace context only (no baggage: nothing here reads it). With exactly this propagator the HttpClient
        // instrumentation leaves the headers to .NET's own handler, which keeps a traceparent the caller set and honours
        // a handler's ActivityHeadersPropagator; with the SDK's default composite it added a second traceparent of its own.
        Sdk.SetDefaultTextMapPropagator(new OpenTelemetry.Context.Propagation.TraceContextPropagator());
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(Sources)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (!export)
                {
                    // Nothing reads spans: activities exist only to carry the trace id into logs and onward calls,
                    // recording nothing (what a propagation-only listener did before).
                    tracing.SetSampler(new AlwaysOffSampler());
                }
            });
        if (export)
        {
            telemetry.WithMetrics(metrics => metrics
                    .AddMeter("TicketToken.*", "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation())
                .UseOtlpExporter();
        }
    }
}
