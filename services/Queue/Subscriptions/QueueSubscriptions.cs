using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Queue.Data;

namespace TicketToken.Queue.Subscriptions;

/// <summary>Keeps whose each published event is, so that only its organizer can queue it.</summary>
public sealed class RecordQueueEvent(QueueDbContext db) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var known = await db.Events.SingleOrDefaultAsync(e => e.Id == data.EventId, cancellationToken);
        if (known is not null && known.Version >= data.Version)
        {
            return TopicResult.Success;
        }

        if (known is null)
        {
            known = new QueueEvent { Id = data.EventId, Name = data.Name };
            db.Events.Add(known);
        }

        (known.OrganizerId, known.Name, known.Version) = (data.OrganizerId, data.Name, data.Version);
        await db.SaveChangesAsync(cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>Remembers when each account was opened: the account-age signal, without asking identity per join.</summary>
public sealed class RecordAccountAge(QueueDbContext db) : ITopicHandler<UserRegistered>
{
    public async Task<TopicResult> HandleAsync(UserRegistered data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            insert into queue.accounts (user_id, registered_at) values ({data.UserId}, {data.RegisteredAt}) on conflict (user_id) do nothing
            """, cancellationToken);
        return TopicResult.Success;
    }
}
