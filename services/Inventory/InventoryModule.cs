using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Queue;
using TicketToken.Inventory.Actors;
using TicketToken.Inventory.Apis;
using TicketToken.Inventory.Domain;
using TicketToken.Inventory.Subscriptions;

namespace TicketToken.Inventory;

/// <summary>Seat and general-admission inventory on actors: holds with expiry, best available, limits, availability.</summary>
public sealed class InventoryModule : Module
{
    public const string Id = "inventory";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddValidation();
        module.Services.AddOptions<InventoryOptions>().Bind(module.Configuration.GetSection(InventoryOptions.Section));
        module.Services.AddSingleton<AdmissionGates>();
        module.AddActor<EventInventoryActor>(InventoryActors.Event)
            .AddActor<SeatSectionActor>(InventoryActors.Section)
            .AddActor<GeneralAdmissionActor>(InventoryActors.GeneralAdmission)
            .AddActor<BuyerHoldsActor>(InventoryActors.BuyerHolds)
            .AddActor<WaitlistActor>(InventoryActors.Waitlist)
            .Subscribe<EventPublished, CreateInventory>(EventPublished.Topic)
            .Subscribe<EventCancelled, StopSales>(EventCancelled.Topic)
            .Subscribe<SeatsReleased, OfferReleasedSeats>(SeatsReleased.Topic)
            .Subscribe<SeatsSold, CloseWaitlistOffer>(SeatsSold.Topic)
            .Subscribe<OnSaleQueued, RecordAdmissionGate>(OnSaleQueued.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHoldsApi();
        endpoints.MapPassHoldsApi();
        endpoints.MapAvailabilityApi();
        endpoints.MapWaitlistApi();
    }
}
