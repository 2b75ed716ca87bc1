using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Queue;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Subscriptions;

/// <summary>A published event gets its inventory: the event actor makes its section and general-admission actors (idempotent by version).</summary>
public sealed class CreateInventory(IActorProxyFactory actors) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.EventOf(data.EventId).InitializeAsync(data);
        return TopicResult.Success;
    }
}

/// <summary>A cancelled event sells nothing more, and its holds end.</summary>
public sealed class StopSales(IActorProxyFactory actors) : ITopicHandler<EventCancelled>
{
    public async Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.EventOf(data.EventId).CancelAsync(data);
        return TopicResult.Success;
    }
}

/// <summary>Released seats go to the waitlist first.</summary>
public sealed class OfferReleasedSeats(IActorProxyFactory actors) : ITopicHandler<SeatsReleased>
{
    public async Task<TopicResult> HandleAsync(SeatsReleased data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.WaitlistOf(data.EventId).OnSeatsReleasedAsync(data);
        return TopicResult.Success;
    }
}

/// <summary>A waitlist offer that was bought is done.</summary>
public sealed class CloseWaitlistOffer(IActorProxyFactory actors) : ITopicHandler<SeatsSold>
{
    public async Task<TopicResult> HandleAsync(SeatsSold data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.WaitlistOf(data.EventId).OnSeatsSoldAsync(data);
        return TopicResult.Success;
    }
}

/// <summary>An on-sale put behind the queue (or taken from it): its holds need an admission signed with the key it names.</summary>
public sealed class RecordAdmissionGate(AdmissionGates gates) : ITopicHandler<OnSaleQueued>
{
    public async Task<TopicResult> HandleAsync(OnSaleQueued data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await gates.RecordAsync(data, cancellationToken);
        return TopicResult.Success;
    }
}
