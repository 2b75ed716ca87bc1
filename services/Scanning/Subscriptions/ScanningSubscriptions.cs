using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Tickets;
using TicketToken.Scanning.Data;
using TicketToken.Scanning.Domain;

namespace TicketToken.Scanning.Subscriptions;

// Scanning's copies of what other modules own. Each write keeps the newest (version or sequence), so a repeated or
// late message changes nothing; the in-memory views hear of a change only after it committed.

/// <summary>A ticket's entry-relevant state: status, lock, secret version (the highest sequence wins).</summary>
public sealed class ProjectTicket(ScanningDbContext db, GateViews views, TimeProvider time) : ITopicHandler<TicketChanged>
{
    public async Task<TopicResult> HandleAsync(TicketChanged data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var changed = await db.Database.ExecuteSqlAsync($"""
            insert into scanning.tickets (id, event_id, organizer_id, ticket_type_id, status, secret_version, locked, sequence, projected_at)
            values ({data.TicketId}, {data.EventId}, {data.OrganizerId}, {data.TicketTypeId}, {data.Status}, {data.SecretVersion}, {data.Locked}, {data.Sequence}, {time.GetUtcNow()})
            on conflict (id) do update set event_id = excluded.event_id, organizer_id = excluded.organizer_id, ticket_type_id = excluded.ticket_type_id,
                status = excluded.status, secret_version = excluded.secret_version, locked = excluded.locked, sequence = excluded.sequence,
                projected_at = excluded.projected_at
            where scanning.tickets.sequence < excluded.sequence
            """, cancellationToken);
        if (changed > 0)
        {
            views.Apply(new TicketView(data.TicketId, data.EventId, data.OrganizerId, data.TicketTypeId, data.Status, data.SecretVersion, data.Locked, data.Sequence));
        }

        return TopicResult.Success;
    }
}

/// <summary>An announced event: venue, organizer, times, and the entry zone of each ticket type (the newest version wins).</summary>
public sealed class ProjectEvent(ScanningDbContext db, GateViews views, TimeProvider time) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(nameof(ProjectEvent), envelope.Id, async ct =>
        {
            var changed = await db.Database.ExecuteSqlAsync($"""
                insert into scanning.events (id, organizer_id, venue_id, name, starts_at, ends_at, wallet_passes_allowed, version, projected_at)
                values ({data.EventId}, {data.OrganizerId}, {data.VenueId}, {data.Name}, {data.StartsAt.ToUniversalTime()}, {data.EndsAt.ToUniversalTime()},
                        {data.WalletPassesAllowed}, {data.Version}, {time.GetUtcNow()})
                on conflict (id) do update set organizer_id = excluded.organizer_id, venue_id = excluded.venue_id, name = excluded.name,
                    starts_at = excluded.starts_at, ends_at = excluded.ends_at, wallet_passes_allowed = excluded.wallet_passes_allowed,
                    version = excluded.version, projected_at = excluded.projected_at
                where scanning.events.version < excluded.version
                """, ct);
            if (changed == 0)
            {
                return;
            }

            await db.Database.ExecuteSqlAsync($"delete from scanning.ticket_types where event_id = {data.EventId}", ct);
            foreach (var type in data.TicketTypes)
            {
                var zone = AccessZones.Rank(type.AccessZone) >= 0 ? type.AccessZone! : AccessZones.GeneralAdmission;
                await db.Database.ExecuteSqlAsync($"insert into scanning.ticket_types (event_id, id, access_zone) values ({data.EventId}, {type.Id}, {zone})", ct);
            }
        }, cancellationToken);
        views.Forget(data.EventId);
        return TopicResult.Success;
    }
}

/// <summary>A cancelled event admits nobody.</summary>
public sealed class ProjectCancellation(ScanningDbContext db, GateViews views) : ITopicHandler<EventCancelled>
{
    public async Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var changed = await db.Events.Where(e => e.Id == data.EventId && e.CancelledAt == null)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.CancelledAt, data.CancelledAt), cancellationToken);
        if (changed == 0 && !await db.Events.AnyAsync(e => e.Id == data.EventId, cancellationToken))
        {
            return TopicResult.Retry; // cancelled before its announcement reached us: wait for it
        }

        views.Forget(data.EventId);
        return TopicResult.Success;
    }
}

/// <summary>A device's organizer, venue, zones and whether it is active (the highest version wins).</summary>
public sealed class ProjectDevice(ScanningDbContext db, GateViews views, TimeProvider time) : ITopicHandler<DeviceChanged>
{
    public async Task<TopicResult> HandleAsync(DeviceChanged data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var zones = data.Zones.ToArray();
        var changed = await db.Database.ExecuteSqlAsync($"""
            insert into scanning.devices (id, organizer_id, venue_id, name, zones, active, version, projected_at)
            values ({data.DeviceId}, {data.OrganizerId}, {data.VenueId}, {data.Name}, {zones}, {data.Active}, {data.Version}, {time.GetUtcNow()})
            on conflict (id) do update set organizer_id = excluded.organizer_id, venue_id = excluded.venue_id, name = excluded.name, zones = excluded.zones,
                active = excluded.active, version = excluded.version, projected_at = excluded.projected_at
            where scanning.devices.version < excluded.version
            """, cancellationToken);
        if (changed > 0)
        {
            views.Apply(new DeviceView(data.DeviceId, data.OrganizerId, data.VenueId, data.Name, zones, data.Active, data.Version));
        }

        return TopicResult.Success;
    }
}
