using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Tickets;
using TicketToken.Minting.Data;
using TicketToken.Minting.Domain;

namespace TicketToken.Minting.Subscriptions;

/// <summary>
/// Keeps what tickets says each ticket is now: <c>tickets.changed</c> carries every change (issue, activation, gift, resale reissue,
/// revoke, refund, cancel, expiry) with a per-ticket sequence, so the highest wins whatever order messages arrive in. The mirror
/// is woken after the commit; it never runs inside this handler, so a purchase or a scan never waits for the chain.
/// </summary>
public sealed class MirrorTicketChange(MintingDbContext db, MintingSignals signals) : ITopicHandler<TicketChanged>
{
    public async Task<TopicResult> HandleAsync(TicketChanged data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(TicketChanged.Topic, envelope.Id, async ct =>
        {
            // A ticket's first changes and its tickets.issued arrive at once: the row is made by whichever comes first, and
            // locked, so two changes apply in turn and the highest sequence wins (a plain insert failed the others' deliveries).
            await db.Database.ExecuteSqlAsync($"""
                insert into minting.tickets (ticket_id, event_id, organizer_id, owner_id, status, sequence, changed_at)
                values ({data.TicketId}, {data.EventId}, {data.OrganizerId}, {data.OwnerId}, {TicketStatuses.Issued}, 0, {data.ChangedAt})
                on conflict (ticket_id) do nothing
                """, ct);
            var ticket = await db.Tickets.FromSql($"select * from minting.tickets where ticket_id = {data.TicketId} for update").SingleAsync(ct);
            if (ticket.Sequence >= data.Sequence)
            {
                return;
            }

            ticket.EventId = data.EventId;
            ticket.OrganizerId = data.OrganizerId;
            ticket.OwnerId = data.OwnerId;
            ticket.Status = data.Status;
            ticket.Sequence = data.Sequence;
            ticket.ChangedAt = data.ChangedAt;
            ticket.NextAttemptAt = null;
            ticket.Attempts = 0;
        }, cancellationToken);
        signals.Mirror.Notify();
        return TopicResult.Success;
    }
}

/// <summary>Records each new ticket's type and seat from <c>tickets.issued</c>: the token's metadata.</summary>
public sealed class DescribeIssuedTickets(MintingDbContext db) : ITopicHandler<TicketsIssued>
{
    public async Task<TopicResult> HandleAsync(TicketsIssued data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(TicketsIssued.Topic, envelope.Id, async ct =>
        {
            foreach (var issued in data.Tickets)
            {
                var label = issued.SeatId is not null
                    ? $"{issued.TicketTypeName}: section {issued.Section}, row {issued.Row}, seat {issued.SeatNumber}"
                    : $"{issued.TicketTypeName} (general admission)";
                // Arrived before the ticket's first tickets.changed: sequence 0, so that change still applies.
                await db.Database.ExecuteSqlAsync($"""
                    insert into minting.tickets (ticket_id, event_id, organizer_id, owner_id, status, sequence, changed_at, label)
                    values ({issued.TicketId}, {data.EventId}, {data.OrganizerId}, {data.OwnerId}, {TicketStatuses.Issued}, 0, {data.IssuedAt}, {label})
                    on conflict (ticket_id) do update set label = excluded.label
                    """, ct);
            }
        }, cancellationToken);
        return TopicResult.Success;
    }
}
