using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Queue.Data;
using TicketToken.Queue.Domain;

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

/// <summary>
/// Counts failed sign-ins per account and per client address over a day: the failed-sign-in signals of the risk score, kept
/// here so a join asks identity nothing.
/// </summary>
public sealed class RecordFailedSignIn(QueueDbContext db) : ITopicHandler<SignInFailed>
{
    public async Task<TopicResult> HandleAsync(SignInFailed data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var keys = new List<string>(2);
        if (data.UserId is { } userId)
        {
            keys.Add(SignInFailures.AccountKey(userId));
        }

        if (!string.IsNullOrEmpty(data.Address))
        {
            keys.Add(SignInFailures.AddressKey(data.Address));
        }

        var windowEnded = data.FailedAt - SignInFailures.Window;

        // A counter is not idempotent: a redelivered event must not count twice.
        await db.ProcessOnceAsync(SignInFailed.Topic, envelope.Id, async ct =>
        {
            foreach (var key in keys)
            {
                await db.Database.ExecuteSqlAsync($"""
                    insert into queue.sign_in_failures as f (key, window_start, failures) values ({key}, {data.FailedAt}, 1)
                    on conflict (key) do update set
                        window_start = case when f.window_start <= {windowEnded} then excluded.window_start else f.window_start end,
                        failures = case when f.window_start <= {windowEnded} then 1 else f.failures + 1 end
                    """, ct);
            }
        }, cancellationToken);
        return TopicResult.Success;
    }
}
