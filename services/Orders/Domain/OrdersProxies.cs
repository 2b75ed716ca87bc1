using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>The other modules' actors an order talks to, named once.</summary>
internal static class OrdersProxies
{
    public static IBuyerHoldsActor BuyerOf(this IActorProxyFactory actors, Order order) =>
        actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(order.EventId, order.BuyerId), InventoryActors.BuyerHolds);

    public static IBuyerHoldsActor BuyerOf(this IActorProxyFactory actors, Guid eventId, Guid buyerId) =>
        actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(eventId, buyerId), InventoryActors.BuyerHolds);

    public static IOrderPaymentActor PaymentOf(this IActorProxyFactory actors, Guid orderId) =>
        actors.CreateActorProxy<IOrderPaymentActor>(PaymentsActors.OrderPaymentId(orderId), PaymentsActors.OrderPayment);

    public static ITicketIssuerActor TicketsOf(this IActorProxyFactory actors, Guid orderId) =>
        actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);
}
