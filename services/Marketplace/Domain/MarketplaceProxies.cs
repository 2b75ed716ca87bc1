using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Marketplace.Domain;

/// <summary>The other modules' actors the marketplace talks to, named once.</summary>
internal static class MarketplaceProxies
{
    public static ITicketLockActor LockOf(this IActorProxyFactory actors, Guid ticketId) =>
        actors.CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticketId), TicketLocks.TypeName);

    /// <summary>A resale's payment is an order payment keyed by the resale id: the same intent, webhook and refund path as a primary sale.</summary>
    public static IOrderPaymentActor PaymentOf(this IActorProxyFactory actors, Guid resaleId) =>
        actors.CreateActorProxy<IOrderPaymentActor>(PaymentsActors.OrderPaymentId(resaleId), PaymentsActors.OrderPayment);

    public static ISellerAccountActor SellerAccountOf(this IActorProxyFactory actors, Guid userId) =>
        actors.CreateActorProxy<ISellerAccountActor>(SellerAccounts.Id(userId), SellerAccounts.TypeName);
}
