using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Inventory.Domain;

/// <summary>The inventory actors by what they are for, so the id scheme and the type name are written once.</summary>
internal static class InventoryProxies
{
    public static IEventInventoryActor EventOf(this IActorProxyFactory actors, Guid eventId) =>
        actors.CreateActorProxy<IEventInventoryActor>(InventoryActors.EventId(eventId), InventoryActors.Event);

    public static ISeatSectionActor SectionOf(this IActorProxyFactory actors, Guid eventId, string sectionCode) =>
        actors.CreateActorProxy<ISeatSectionActor>(InventoryActors.SectionId(eventId, sectionCode), InventoryActors.Section);

    public static IGeneralAdmissionActor GeneralAdmissionOf(this IActorProxyFactory actors, Guid eventId, Guid ticketTypeId) =>
        actors.CreateActorProxy<IGeneralAdmissionActor>(InventoryActors.GeneralAdmissionId(eventId, ticketTypeId), InventoryActors.GeneralAdmission);

    public static IBuyerHoldsActor BuyerOf(this IActorProxyFactory actors, Guid eventId, Guid buyerId) =>
        actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(eventId, buyerId), InventoryActors.BuyerHolds);

    public static IWaitlistActor WaitlistOf(this IActorProxyFactory actors, Guid eventId) =>
        actors.CreateActorProxy<IWaitlistActor>(InventoryActors.EventId(eventId), InventoryActors.Waitlist);
}
