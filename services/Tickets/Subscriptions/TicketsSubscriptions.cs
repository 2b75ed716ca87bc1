using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Subscriptions;

/// <summary>An announced event: what fans see of it on their tickets, and when its tickets expire.</summary>
public sealed class RecordEvent(IActorProxyFactory actors) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.EventTicketsOf(data.EventId).PublishedAsync(data);
        return TopicResult.Success;
    }
}

/// <summary>A cancelled event's tickets admit nobody.</summary>
public sealed class CancelEventTickets(IActorProxyFactory actors) : ITopicHandler<EventCancelled>
{
    public async Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await actors.EventTicketsOf(data.EventId).CancelledAsync(data);
        return TopicResult.Success;
    }
}
