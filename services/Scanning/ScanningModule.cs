using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Tickets;
using TicketToken.Scanning.Actors;
using TicketToken.Scanning.Apis;
using TicketToken.Scanning.Data;
using TicketToken.Scanning.Domain;
using TicketToken.Scanning.Subscriptions;

namespace TicketToken.Scanning;

/// <summary>Entry: devices at gates, scan policies, the validation pipeline, offline manifests and reconciliation, gate statistics.</summary>
public sealed class ScanningModule : Module
{
    public const string Id = "scanning";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        var singleHost = TicketTokenOptions.Read(module.Configuration).Runtime == RuntimeKind.Embedded;
        services.AddOptions<ScanningOptions>().Bind(module.Configuration.GetSection(ScanningOptions.Section))
            .PostConfigure(o => o.SingleHost = singleHost)
            .Validate(o => o.AllowedSkewSteps is >= 0 and <= 4, "TicketToken:Scanning:AllowedSkewSteps must be 0 to 4: a code is worth seconds, not minutes.")
            .Validate(o => o.ManifestLifetime > TimeSpan.Zero && o.ViewRefreshInterval > TimeSpan.Zero && o.ManifestReuse >= TimeSpan.Zero,
                "TicketToken:Scanning: lifetimes and intervals must be positive.")
            .Validate(o => o.ScanLogMaxBatch >= 1 && o.ScanLogWriters is >= 1 and <= 16 && o.MaxReconcileScans >= 1, "TicketToken:Scanning: batch sizes and writers must be positive.")
            .ValidateOnStart();
        services.AddSecretProtector(Id, ScanningOptions.SecretKeySetting, developmentSeed: "tickettoken-development-scanning-key");
        services.AddSingleton<GateViews>();
        services.AddSingleton<ScanLog>();
        services.AddSingleton<PassageReader>();
        services.AddSingleton<ScanPipeline>();
        services.AddSingleton<ManifestSigner>();
        module.AddDbContext<ScanningDbContext>(ScanningDbContext.SchemaName)
            .AddActor<TicketCheckInActor>(ScanningActors.CheckIn)
            .Subscribe<TicketChanged, ProjectTicket>(TicketChanged.Topic)
            .Subscribe<EventPublished, ProjectEvent>(EventPublished.Topic)
            .Subscribe<EventCancelled, ProjectCancellation>(EventCancelled.Topic)
            .Subscribe<DeviceChanged, ProjectDevice>(DeviceChanged.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapScansApi();
        endpoints.MapScanningEventsApi();
    }
}
