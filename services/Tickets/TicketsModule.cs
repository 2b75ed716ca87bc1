using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Actors;
using TicketToken.Tickets.Apis;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;
using TicketToken.Tickets.Subscriptions;

namespace TicketToken.Tickets;

/// <summary>Tickets: issued per order, activated, revoked; rotating entry codes and the entry keys scanning checks them with; my tickets; gifts; expiry after the event.</summary>
public sealed class TicketsModule : Module
{
    public const string Id = "tickets";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        services.AddOptions<TicketsOptions>().Bind(module.Configuration.GetSection(TicketsOptions.Section))
            .Validate(o => o.CodeStepSeconds is >= 1 and <= TicketCode.MaximumStepSeconds,
                $"TicketToken:Tickets:CodeStepSeconds must be 1 to {TicketCode.MaximumStepSeconds}: entry codes rotate at least every {TicketCode.MaximumStepSeconds} seconds.")
            .Validate(o => o.ExpiryGrace >= TimeSpan.Zero, "TicketToken:Tickets:ExpiryGrace cannot be negative.")
            .Validate(o => o.TransferExpiry > TimeSpan.Zero, "TicketToken:Tickets:TransferExpiry must be positive.")
            .Validate(o => o.TransferDailyLimit >= 1, "TicketToken:Tickets:TransferDailyLimit must be at least 1.")
            .Validate(o => o.TransferCooldown >= TimeSpan.Zero, "TicketToken:Tickets:TransferCooldown cannot be negative.")
            .ValidateOnStart();
        services.AddSecretProtector(Id, TicketsOptions.SecretKeySetting, developmentSeed: "tickettoken-development-tickets-key");
        module.AddDbContext<TicketsDbContext>(TicketsDbContext.SchemaName)
            .AddActor<TicketIssuerActor>(TicketsActors.Issuer)
            .AddActor<EventTicketsActor>(TicketsProxies.EventTickets)
            .AddActor<EventEntryKeysActor>(TicketsActors.EntryKeys)
            .Subscribe<EventPublished, RecordEvent>(EventPublished.Topic)
            .Subscribe<EventCancelled, CancelEventTickets>(EventCancelled.Topic)
            .Subscribe<TicketCheckedIn, MarkCheckedIn>(TicketCheckedIn.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTicketsApi();
        endpoints.MapTransfersApi();
    }
}
