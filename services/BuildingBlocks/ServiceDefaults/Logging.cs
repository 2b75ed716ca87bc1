using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Hosting;
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
    /// <remarks>
    /// Serilog is added as a provider of the framework's logger factory rather than replacing the factory
    /// (<c>AddSerilog</c> on the services would), so the framework's level filters and any other provider a host
    /// or a test adds keep receiving every entry.
    /// </remarks>
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
        var logger = configuration.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        builder.Services.AddSingleton(new DiagnosticContext(logger));
    }

    /// <summary>
    /// One line per request, after it finished: method, path, the status the client got, duration (Serilog.AspNetCore).
    /// It must run outside the exception handler: inside, an exception passes it before the handler has chosen
    /// the status, and every problem answer was logged as 200.
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        // Serilog.AspNetCore writes to a Serilog logger; this one hands each line to the framework's logger factory, so
        // every provider receives it like any other entry (the console through Serilog's provider, and a test's capture).
        var toProviders = new LoggerConfiguration().MinimumLevel.Verbose()
            .WriteTo.Sink(new FrameworkLoggerSink(app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("TicketToken.Requests")))
            .CreateLogger();
        return app.UseSerilogRequestLogging(options =>
        {
            options.Logger = toProviders;
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetLevel = LevelOf;
        });
    }

    internal static LogEventLevel LevelOf(HttpContext context, double elapsedMs, Exception? exception)
    {
        var path = context.Request.Path;
        return path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") ? LogEventLevel.Debug
            : exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
            : LogEventLevel.Information;
    }

    /// <summary>A Serilog event as a framework log entry with the same template and values, at the same level.</summary>
    private sealed class FrameworkLoggerSink(Microsoft.Extensions.Logging.ILogger logger) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            var level = logEvent.Level switch
            {
                LogEventLevel.Verbose => LogLevel.Trace,
                LogEventLevel.Debug => LogLevel.Debug,
                LogEventLevel.Information => LogLevel.Information,
                LogEventLevel.Warning => LogLevel.Warning,
                LogEventLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            if (!logger.IsEnabled(level))
            {
                return;
            }

            var values = logEvent.MessageTemplate.Tokens.OfType<Serilog.Parsing.PropertyToken>()
                .Select(token => logEvent.Properties.TryGetValue(token.PropertyName, out var value) ? value is ScalarValue scalar ? scalar.Value : value.ToString() : null)
                .ToArray();
#pragma warning disable CA2254 // the template is Serilog.AspNetCore's constant request-log template, passed on unchanged
            logger.Log(level, logEvent.Exception, logEvent.MessageTemplate.Text, values);
#pragma warning restore CA2254
        }
    }

    /// <summary>Adds TraceId and SpanId from the current <see cref="Activity"/> (empty outside any trace, so every line has them).</summary>
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
