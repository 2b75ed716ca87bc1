using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

internal static class Logging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {TraceId}{NewLine}{Exception}";

    /// <summary>
    /// Serilog for every module: JSON lines to stdout when the output is not a terminal (containers, CI),
    /// readable text when it is; <c>TicketToken:Logging:Format</c> (json|text) overrides. Every line carries
    /// the W3C trace id of the work it belongs to.
    /// </summary>
    public static void AddTicketTokenLogging(this WebApplicationBuilder builder)
    {
        var format = builder.Configuration["TicketToken:Logging:Format"];
        var json = format is null ? Console.IsOutputRedirected : format.Equals("json", StringComparison.OrdinalIgnoreCase);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.With<TraceEnricher>();
        configuration = json
            ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true))
            : configuration.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
    }

    /// <summary>One line per request, after it finished: method, path, status, duration.</summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("TicketToken.Http");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var path = context.Request.Path;
                var level = path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") ? LogLevel.Debug
                    : context.Response.StatusCode >= 500 ? LogLevel.Error : LogLevel.Information;
                if (logger.IsEnabled(level)) // the arguments are boxed into an array before Log looks at the level
                {
                    logger.Log(level, "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms",
                        context.Request.Method, path.Value, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        });
    }

    /// <summary>Adds TraceId and SpanId from the current <see cref="Activity"/> (empty outside any trace).</summary>
    private sealed class TraceEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            var activity = Activity.Current;
            logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("TraceId", activity?.TraceId.ToHexString() ?? ""));
            logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("SpanId", activity?.SpanId.ToHexString() ?? ""));
        }
    }
}
