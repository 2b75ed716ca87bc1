using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Queue.Apis;
using TicketToken.Queue.Data;
using TicketToken.Queue.Domain;
using TicketToken.Queue.Subscriptions;

namespace TicketToken.Queue;

/// <summary>The waiting room in front of queued on-sales: a fair opening shuffle, admission in waves, signed admissions, bots at the back (ADR 0020).</summary>
public sealed class QueueModule : Module
{
    public const string Id = "queue";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddValidation();
        module.Services.AddOptions<QueueOptions>().Bind(module.Configuration.GetSection(QueueOptions.Section))
            .Validate(o => o.TickInterval > TimeSpan.Zero && o.StreamInterval > TimeSpan.Zero, "TicketToken:Queue:TickInterval and StreamInterval are positive.")
            .Validate(o => o.MaxDerivedWave >= 1, "TicketToken:Queue:MaxDerivedWave is at least 1.")
            .ValidateOnStart();
        module.Services.AddSecretProtector(Id, QueueOptions.SecretKeySetting, developmentSeed: "tickettoken-development-queue-key");
        module.Services.AddSingleton<QueueMetrics>();
        module.Services.AddSingleton<QueueBoard>();
        module.Services.AddSingleton<AddressActivity>();
        module.Services.AddScoped<FanSignals>();
        module.Services.AddSingleton<QueueAdmitter>();
        module.Services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<QueueAdmitter>());
        module.AddDbContext<QueueDbContext>(QueueDbContext.SchemaName)
            .Subscribe<EventPublished, RecordQueueEvent>(EventPublished.Topic)
            .Subscribe<UserRegistered, RecordAccountAge>(UserRegistered.Topic)
            .Subscribe<SignInFailed, RecordFailedSignIn>(SignInFailed.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapQueueApi();
        endpoints.MapOrganizerQueueApi();
    }
}
