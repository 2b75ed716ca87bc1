using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.BuildingBlocks.Workflows.Engine;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>What a module registers, in one place: the only API a module needs to plug into the host.</summary>
public sealed class ModuleBuilder
{
    private readonly Module _module;
    private readonly BuildingBlockRegistries _registries;

    internal ModuleBuilder(Module module, IServiceCollection services, IConfiguration configuration, BuildingBlockRegistries registries)
    {
        _module = module;
        Services = services;
        Configuration = configuration;
        _registries = registries;
    }

    public string AppId => _module.AppId;

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    /// <summary>Applies the module's SQL files (<c>Data/Migrations/NNNN_name.sql</c>, embedded) to its own schema at start.</summary>
    public ModuleBuilder AddMigrations(string schema)
    {
        _registries.Migrations.Add(new MigrationSet(AppId, schema, SqlMigrations.FromAssembly(_module.GetType().Assembly)));
        return this;
    }

    /// <summary>
    /// Registers the module's EF Core context on its own schema, with the schema's migrations, an outbox
    /// relayed to pub/sub and an inbox for idempotent handlers.
    /// </summary>
    public ModuleBuilder AddDbContext<TContext>(string schema) where TContext : ModuleDbContext
    {
        _registries.Migrations.Add(new MigrationSet(AppId, schema, [.. SqlMigrations.Messaging, .. SqlMigrations.FromAssembly(_module.GetType().Assembly)]));
        var appId = AppId;
        Services.TryAddSingleton<OutboxSignal<TContext>>();
        // Pooled: a context is reset and reused instead of built per scope. Building one (its options, then finding EF's
        // internal services for them) cost about 5 % of the host's CPU in the sell-out profile (bench/README.md).
        Services.AddDbContextPool<TContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredKeyedService<NpgsqlDataSource>(appId))
            .AddInterceptors(new OutboxSaveInterceptor<TContext>(sp.GetRequiredService<OutboxSignal<TContext>>())));
        Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<OutboxRelay<TContext>>(sp, appId, schema));
        return this;
    }

    /// <summary>Hosts an actor type (named after the class unless <paramref name="actorType"/> is given).</summary>
    public ModuleBuilder AddActor<TActor>(string? actorType = null) where TActor : Actor
    {
        _registries.Actors.Add(ActorTypeInformation.Create(typeof(TActor), actorType));
        return this;
    }

    /// <summary>
    /// Runs <typeparamref name="TJob"/> every interval on one replica, on the durable reminder of one actor
    /// (<paramref name="actorType"/>, <paramref name="actorId"/>: keep both once deployed, the reminder is stored under them).
    /// </summary>
    public ModuleBuilder AddScheduledJob<TJob>(string actorType, string actorId, Func<IServiceProvider, TimeSpan> interval) where TJob : class, IScheduledJob
    {
        Services.AddScoped<TJob>();
        Services.AddHostedService(sp => new JobScheduling<TJob>(sp.GetRequiredService<IActorProxyFactory>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<JobScheduling<TJob>>>(), new ActorId(actorId), actorType, interval(sp)));
        return AddActor<ScheduledJobActor<TJob>>(actorType);
    }

    public ModuleBuilder AddWorkflow<TWorkflow>() where TWorkflow : class, IWorkflow
    {
        EnsureWorkflowHost();
        _registries.Workflows.For(AppId).AddWorkflow(typeof(TWorkflow));
        return this;
    }

    public ModuleBuilder AddWorkflowActivity<TActivity>() where TActivity : class, IWorkflowActivity
    {
        EnsureWorkflowHost();
        _registries.Workflows.For(AppId).AddActivity(typeof(TActivity));
        return this;
    }

    /// <summary>Delivers events of <paramref name="topic"/> to <typeparamref name="THandler"/> (resolved per event in its own scope).</summary>
    public ModuleBuilder Subscribe<TEvent, THandler>(string topic, SubscriptionOptions? options = null)
        where THandler : class, ITopicHandler<TEvent>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Services.TryAddScoped<THandler>();
        _registries.Subscriptions.Add(TopicSubscription.Create<TEvent, THandler>(AppId, topic, options ?? new SubscriptionOptions()));
        return this;
    }

    private void EnsureWorkflowHost()
    {
        if (!_registries.Workflows.HasApp(AppId))
        {
            _registries.Workflows.For(AppId);
            _registries.Actors.Add(ActorTypeInformation.Create(typeof(WorkflowActor), WorkflowRegistry.ActorTypeFor(AppId)));
        }
    }
}

/// <summary>What the modules of this host registered with the building blocks.</summary>
public sealed class BuildingBlockRegistries
{
    public ActorRegistry Actors { get; } = new();
    public WorkflowRegistry Workflows { get; } = new();
    public SubscriptionRegistry Subscriptions { get; } = new();
    public MigrationCatalog Migrations { get; } = new();
}
