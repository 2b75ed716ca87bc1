using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Registers the embedded runtime: every building block in this process, durable on PostgreSQL.</summary>
internal static class EmbeddedRuntime
{
    public static void Add(IServiceCollection services, IConfiguration configuration, HostedApps modules)
    {
        services.Configure<EmbeddedRuntimeOptions>(configuration.GetSection(EmbeddedRuntimeOptions.Section));
        static NpgsqlDataSource Runtime(IServiceProvider sp) => sp.GetRequiredKeyedService<NpgsqlDataSource>(PostgresDataSources.RuntimeKey);

        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RuntimeLease>(sp, Runtime(sp)));
        services.AddSingleton<IRuntimeBootstrap>(sp => ActivatorUtilities.CreateInstance<EmbeddedBootstrap>(sp, Runtime(sp)));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<DeliveryQueue>(sp, Runtime(sp)));
        services.AddSingleton<ReminderWakeup>();
        services.AddSingleton<IActorStateStore>(sp => ActivatorUtilities.CreateInstance<PostgresActorStateStore>(sp, Runtime(sp)));
        services.AddSingleton<IActorTimerScheduler, InMemoryTimerScheduler>();
        services.AddSingleton<IActorInvoker, EmbeddedActorInvoker>();
        services.AddSingleton<LoopbackChannel>();

        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<DeliveryDispatcher>(sp, Runtime(sp)));
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<ReminderScheduler>(sp, Runtime(sp)));
        services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<EmbeddedMaintenance>(sp, Runtime(sp)));

        foreach (var appId in modules.AppIds)
        {
            services.AddKeyedSingleton<IStateClient>(appId, (sp, _) => new PostgresStateClient(appId, Runtime(sp), sp.GetRequiredService<TimeProvider>()));
            services.AddKeyedSingleton<IEventPublisher>(appId, (sp, _) => new EmbeddedEventPublisher(appId, sp.GetRequiredService<DeliveryQueue>(), sp.GetRequiredService<TimeProvider>()));
            services.AddKeyedSingleton<IServiceInvoker>(appId, (sp, _) => new LoopbackServiceInvoker(appId, sp.GetRequiredService<LoopbackChannel>()));
        }
    }

}
