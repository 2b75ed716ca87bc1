using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Scanning;
using TicketToken.Tickets.Data;
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

/// <summary>
/// A ticket let in at a gate is used: it stays <c>checked_in</c> (an exit does not make it active again), so it can no longer
/// be given away or resold to someone who would then be refused at the gate. Throwing (a concurrent change) retries.
/// </summary>
public sealed class MarkCheckedIn(TicketsDbContext db) : ITopicHandler<TicketCheckedIn>
{
    public async Task<TopicResult> HandleAsync(TicketCheckedIn data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(nameof(MarkCheckedIn), envelope.Id, async ct =>
        {
            var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == data.TicketId, ct);
            if (ticket is { Status: TicketStatus.Active })
            {
                TicketLifecycle.Change(ticket, TicketStatus.CheckedIn, data.ScannedAt, $"scanned in at {data.Gate}");
            }
        }, cancellationToken);
        return TopicResult.Success;
    }
}
