using System.Diagnostics;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>Settings of the per-client rate limit, section <c>TicketToken:RateLimiting</c>.</summary>
public sealed class RateLimitingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per client address.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Requests a client may burst above the sustained rate.</summary>
    public int Burst { get; set; } = 100;
}

/// <summary>What every module gets from the host, once: logging, errors, health, OpenAPI, limits, tracing, shutdown.</summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.AddTicketTokenLogging();
        var services = builder.Services;
        services.AddTicketTokenTelemetry(builder.Configuration, "tickettoken");

        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Instance ??= context.HttpContext.Request.Path;
            // The 32-hex trace id, exactly as every log line of the request carries it.
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.HttpContext.TraceIdentifier;
            problem.Extensions.TryAdd("code", Problems.CodeFor(problem.Status, problem is HttpValidationProblemDetails));
            problem.Type ??= Problems.TypeFor(problem.Status);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(options =>
            options.SuppressDiagnosticsCallback = _ => true); // ProblemExceptionHandler logs, at the level each failure deserves
        services.AddValidation();
        // Binding failures (malformed JSON, wrong content type) become exceptions the problem handler labels precisely.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddInputGuard();

        services.AddHealthChecks()
            .AddCheck<RuntimeReadyCheck>("runtime", tags: ["ready"])
            .AddCheck<PostgresReachableCheck>("postgres", tags: ["ready"]);

        services.AddTicketTokenAuthentication(builder.Configuration);
        ConfigureForwardedHeaders(services, builder.Configuration);
        services.TryAddEnumerable(ServiceDescriptor.Transient<Microsoft.AspNetCore.Mvc.ApiExplorer.IApiDescriptionProvider, ProblemAnswersDescriptionProvider>());
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "TicketToken API",
                    Version = "v1",
                    Description = "Fans hold, buy, transfer and resell tickets; organizers publish events; venue staff scan tickets at the gate.",
                };
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
            options.AddSchemaTransformer<NullableIsOptionalTransformer>();
            options.AddDocumentTransformer<ServerUrlTransformer>();
        });

        var limits = builder.Configuration.GetSection("TicketToken:RateLimiting").Get<RateLimitingOptions>() ?? new RateLimitingOptions();
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => PartitionFor(context, limits));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests.",
                        Detail = "Slow down and retry after the time in the Retry-After header.",
                    },
                });
            };
        });

        services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("TicketToken:ShutdownTimeoutSeconds", 30)));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseRequestLogging(); // outside the exception handler, so it logs the status the handler chose
        app.UseExceptionHandler();
        app.UseInputGuard();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        // Anonymous by design: probes, the API description and its UI carry no data.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth })
            .WithName("Liveness").ExcludeFromDescription().AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteHealth })
            .WithName("Readiness").ExcludeFromDescription().AllowAnonymous().DisableRateLimiting();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().DisableRateLimiting();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint("/openapi/v1.json", "TicketToken API v1");
            options.RoutePrefix = "swagger";
            options.DocumentTitle = "TicketToken API";
        });
        return app;
    }

    /// <summary>
    /// Behind an ingress every request comes from the proxy's address; per-client limits and lockouts need the
    /// client's. <c>X-Forwarded-For</c> is believed only from the networks in
    /// <c>TicketToken:ForwardedHeaders:KnownNetworks</c> (CIDR), never from anyone by default.
    /// </summary>
    private static void ConfigureForwardedHeaders(IServiceCollection services, IConfiguration configuration)
    {
        var networks = configuration.GetSection("TicketToken:ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = networks.Length > 0 ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            options.ForwardLimit = 1;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    private static RateLimitPartition<string> PartitionFor(HttpContext context, RateLimitingOptions limits)
    {
        var internalCall = context.Request.Headers.TryGetValue(LoopbackChannel.TokenHeader, out var token)
            && context.RequestServices.GetService<LoopbackChannel>()?.Token == token.ToString();
        // Sidecar-only routes all come from the sidecar's one address and are guarded by APP_API_TOKEN.
        var sidecarRoute = context.Request.Path.StartsWithSegments("/dapr") || context.Request.Path.StartsWithSegments("/actors");
        if (!limits.Enabled || internalCall || sidecarRoute)
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = limits.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}

internal sealed class RuntimeReadyCheck(RuntimeReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady
            ? HealthCheckResult.Healthy("Runtime started; migrations applied.")
            : HealthCheckResult.Unhealthy("Starting: runtime bootstrap or migrations still running."));
}

internal sealed class PostgresReachableCheck(PostgresDataSources dataSources) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            foreach (var dataSource in dataSources.All)
            {
                await using var command = dataSource.CreateCommand("select 1");
                await command.ExecuteScalarAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy("PostgreSQL reachable.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL unreachable: " + ex.Message);
        }
    }
}
