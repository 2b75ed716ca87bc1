using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Actors;

/// <summary>
/// One event's tickets as a whole. It records what catalog announced, cancels the tickets when the event is called off,
/// and owns the durable reminder that expires the unused tickets once the event is over (its end plus the grace).
/// The database is its only state, so every call can be repeated.
/// </summary>
public sealed class EventTicketsActor(ActorHost host, TicketsDbContext db, [FromKeyedServices(TicketsModule.Id)] SecretProtector protector, IOptions<TicketsOptions> options,
    OutboxSignal<TicketsDbContext> outbox)
    : Actor(host), IEventTicketsActor, IRemindable
{
    private const string ExpiryReminder = "expire";

    private Guid EventId => Guid.ParseExact(Id.Id, "N");

    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task PublishedAsync(EventPublished published)
    {
        db.ChangeTracker.Clear();
        // Events may arrive out of order: an older version than the one recorded changes nothing.
        await db.Database.ExecuteSqlAsync($"""
            insert into tickets.events (id, key_ciphertext, organizer_id, name, venue_id, venue_name, venue_city, starts_at, ends_at, time_zone,
                                        wallet_passes_allowed, version, created_at, updated_at)
            values ({published.EventId}, {EventKeys.NewKey(protector)}, {published.OrganizerId}, {published.Name}, {published.VenueId}, {published.VenueName},
                    {published.VenueCity}, {published.StartsAt.ToUniversalTime()}, {published.EndsAt.ToUniversalTime()}, {published.TimeZone},
                    {published.WalletPassesAllowed}, {published.Version}, {Now}, {Now})
            on conflict (id) do update set organizer_id = excluded.organizer_id, name = excluded.name, venue_id = excluded.venue_id,
                venue_name = excluded.venue_name, venue_city = excluded.venue_city, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                time_zone = excluded.time_zone, wallet_passes_allowed = excluded.wallet_passes_allowed, version = excluded.version,
                updated_at = excluded.updated_at
            where tickets.events.version < excluded.version
            """);
        var recorded = await db.Events.AsNoTracking().SingleAsync(e => e.Id == published.EventId);
        if (recorded is { CancelledAt: null, EndsAt: { } endsAt })
        {
            await ScheduleExpiryAsync(endsAt);
        }
    }

    public async Task CancelledAsync(EventCancelled cancelled)
    {
        db.ChangeTracker.Clear();
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"""
            insert into tickets.events (id, key_ciphertext, organizer_id, cancelled_at, created_at, updated_at)
            values ({cancelled.EventId}, {EventKeys.NewKey(protector)}, {cancelled.OrganizerId}, {cancelled.CancelledAt.ToUniversalTime()}, {now}, {now})
            on conflict (id) do update set cancelled_at = coalesce(tickets.events.cancelled_at, excluded.cancelled_at),
                updated_at = case when tickets.events.cancelled_at is null then excluded.updated_at else tickets.events.updated_at end
            """);
        var changed = await TicketLifecycle.ChangeAllAsync(db, cancelled.EventId, TicketStatus.Cancelled, now, "event_cancelled");
        await transaction.CommitAsync();
        if (changed > 0)
        {
            outbox.Signal.Notify(); // the tickets.changed rows were written in SQL, which the save interceptor does not see
        }

        await UnregisterReminderAsync(ExpiryReminder);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != ExpiryReminder)
        {
            return;
        }

        db.ChangeTracker.Clear();
        var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == EventId);
        if (@event is not { EndsAt: { } endsAt, CancelledAt: null })
        {
            return;
        }

        var now = Now;
        if (endsAt + options.Value.ExpiryGrace > now)
        {
            await ScheduleExpiryAsync(endsAt); // the event was moved later since the reminder was set
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync();
        var expired = await TicketLifecycle.ChangeAllAsync(db, EventId, TicketStatus.Expired, now, "event_ended");
        if (expired > 0)
        {
            db.Publish(TicketsExpired.Topic, new TicketsExpired(EventId, expired, now));
            await db.SaveChangesAsync();
        }

        await transaction.CommitAsync();
    }

    private Task ScheduleExpiryAsync(DateTimeOffset endsAt) =>
        RegisterReminderAsync(ExpiryReminder, null, endsAt + options.Value.ExpiryGrace - Now, TimeSpan.Zero);
}
