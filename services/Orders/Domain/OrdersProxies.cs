using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>The other modules' actors an order talks to, named once.</summary>
internal static class OrdersProxies
{
    /// <summary>
    /// The holds the order was checked out from, each with its buyer's actor: the order's one hold, or for a pass one part
    /// per event (docs/adr/0023), found from the lines (which must be loaded) and the pass hold's id.
    /// </summary>
    public static IReadOnlyList<(Guid EventId, Guid HoldId, IBuyerHoldsActor Holds)> HoldsOf(this IActorProxyFactory actors, Order order) =>
        order.PassId is null
            ? [(order.EventId, order.HoldId, actors.BuyerOf(order.EventId, order.BuyerId))]
            : [.. order.Lines.Select(l => l.EventId ?? order.EventId).Distinct().Order()
                .Select(eventId => (eventId, PassHolds.PartId(order.HoldId, eventId), actors.BuyerOf(eventId, order.BuyerId)))];

    public static IBuyerHoldsActor BuyerOf(this IActorProxyFactory actors, Guid eventId, Guid buyerId) =>
        actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(eventId, buyerId), InventoryActors.BuyerHolds);

    public static IOrderPaymentActor PaymentOf(this IActorProxyFactory actors, Guid orderId) =>
        actors.CreateActorProxy<IOrderPaymentActor>(PaymentsActors.OrderPaymentId(orderId), PaymentsActors.OrderPayment);

    public static ITicketIssuerActor TicketsOf(this IActorProxyFactory actors, Guid orderId) =>
        actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);
}
