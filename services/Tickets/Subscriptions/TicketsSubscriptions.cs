using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Identity;
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

/// <summary>A person registered: their name goes on the tickets they hold (the PDF, the passes).</summary>
public sealed class RecordHolder(TicketsDbContext db, TimeProvider time) : ITopicHandler<UserRegistered>
{
    public async Task<TopicResult> HandleAsync(UserRegistered data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        // A person registers once; an erasure that arrived first left its row, which this does not overwrite.
        await db.Database.ExecuteSqlAsync($"""
            insert into tickets.holders (user_id, display_name, updated_at) values ({data.UserId}, {data.DisplayName}, {time.GetUtcNow()})
            on conflict (user_id) do nothing
            """, cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>A person was erased: their name leaves every ticket and pass.</summary>
public sealed class ForgetHolder(TicketsDbContext db, TimeProvider time) : ITopicHandler<UserErased>
{
    public async Task<TopicResult> HandleAsync(UserErased data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            insert into tickets.holders (user_id, display_name, updated_at) values ({data.UserId}, null, {time.GetUtcNow()})
            on conflict (user_id) do update set display_name = null, updated_at = excluded.updated_at
            """, cancellationToken);
        return TopicResult.Success;
    }
}
