using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Runtime.Dapr;
using TicketToken.BuildingBlocks.Runtime.Embedded;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.BuildingBlocks.Workflows.Admin;
using TicketToken.BuildingBlocks.Workflows.Engine;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>
/// The composition root shared by the host and the tests: service defaults, the chosen runtime and the
/// chosen modules (Loki's "targets": one binary, any set of modules).
/// </summary>
public static class TicketTokenHost
{
    public static WebApplicationBuilder AddTicketToken(this WebApplicationBuilder builder, IReadOnlyList<Module> modules)
    {
        var options = TicketTokenOptions.Read(builder.Configuration);
        var selection = ModuleSelection.Select(modules, options.Services);
        builder.AddServiceDefaults();
        EnsurePostgres(builder, options);

        var services = builder.Services;
        var registries = new BuildingBlockRegistries();
        var apps = new HostedApps([.. selection.AppIds]);
        services.AddSingleton(selection);
        services.AddSingleton(apps);
        services.AddSingleton(registries);
        services.AddSingleton(registries.Actors);
        services.AddSingleton(registries.Workflows);
        services.AddSingleton(registries.Subscriptions);
        services.AddSingleton(registries.Migrations);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RuntimeReadiness>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<PostgresDataSources>();
        foreach (var key in selection.AppIds.Append(PostgresDataSources.RuntimeKey))
        {
            services.AddKeyedSingleton<NpgsqlDataSource>(key, (sp, _) => sp.GetRequiredService<PostgresDataSources>().ForApp(key));
        }

        // First hosted service: nothing else runs before the runtime is up and the schemas are migrated.
        services.AddHostedService<RuntimeStartup>();

        services.Configure<ActorRuntimeOptions>(builder.Configuration.GetSection("TicketToken:Actors"));
        services.Configure<WorkflowEngineOptions>(builder.Configuration.GetSection("TicketToken:Workflows"));
        services.AddSingleton<ActorRuntime>();
        services.AddSingleton<IActorProxyFactory, ActorProxyFactory>();
        services.AddSingleton<WorkflowActivityRunner>();
        services.AddSingleton<WorkflowCatalog>();

        foreach (var module in selection.Modules)
        {
            module.Configure(new ModuleBuilder(module, services, builder.Configuration, registries));
            var appId = module.AppId;
            services.AddKeyedSingleton<IWorkflowClient>(appId, (sp, _) =>
                new WorkflowClient(appId, sp.GetRequiredService<WorkflowRegistry>(), sp.GetRequiredService<IActorProxyFactory>()));
        }

        switch (options.Runtime)
        {
            case RuntimeKind.Embedded:
                EmbeddedRuntime.Add(services, builder.Configuration, apps);
                break;
            case RuntimeKind.Dapr:
                DaprRuntime.Add(services, builder.Configuration, apps);
                break;
            default:
                throw new InvalidOperationException($"Unknown runtime '{options.Runtime}'; use 'embedded' or 'dapr'.");
        }

        return builder;
    }

    public static WebApplication MapTicketToken(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.Services.GetService<IRuntimeEndpoints>()?.Map(app);
        var selection = app.Services.GetRequiredService<ModuleSelection>();
        var workflows = app.Services.GetRequiredService<WorkflowRegistry>();
        foreach (var module in selection.Modules)
        {
            module.MapEndpoints(app);
            if (workflows.HasApp(module.AppId))
            {
                app.MapWorkflowAdminApi(module.AppId);
            }
        }

        app.Lifetime.ApplicationStarted.Register(() => Announce(app, selection));
        return app;
    }

    private static void Announce(WebApplication app, ModuleSelection selection)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TicketToken");
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        var browsable = address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
        var options = TicketTokenOptions.Read(app.Configuration);
        logger.LogInformation("TicketToken is up ({Runtime:l} runtime, modules: {Modules:l}). Swagger UI: {SwaggerUrl:l}",
            options.Runtime.ToString().ToLowerInvariant(), string.Join(", ", selection.AppIds), browsable + "/swagger");
    }

    /// <summary>Without a connection string (outside Production), start the local development server under <c>.data/</c>.</summary>
    private static void EnsurePostgres(WebApplicationBuilder builder, TicketTokenOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Postgres))
        {
            return;
        }

        if (builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("TICKETTOKEN__POSTGRES is not set. In Production the host needs a PostgreSQL connection string.");
        }

        var directory = Path.Combine(Path.GetFullPath(options.DataDirectory), "postgres");
        Console.Error.WriteLine($"TICKETTOKEN__POSTGRES is not set: starting a local PostgreSQL in {directory} on port {options.LocalPostgresPort}.");
        var server = LocalPostgres.StartAsync(directory, options.LocalPostgresPort, ephemeral: false).GetAwaiter().GetResult();
        builder.Configuration["TicketToken:Postgres"] = server.ConnectionString;
        builder.Services.AddHostedService(_ => new LocalPostgresLifetime(server));
    }

    /// <summary>
    /// Owns the development server. Registered before every other hosted service, it is created first and so
    /// disposed last: the server stops only after actors have deactivated and the runtime has let go.
    /// </summary>
    private sealed class LocalPostgresLifetime(LocalPostgres server) : IHostedService, IAsyncDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
