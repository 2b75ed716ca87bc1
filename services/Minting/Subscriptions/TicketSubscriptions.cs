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
            var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.TicketId == data.TicketId, ct);
            if (ticket is null)
            {
                ticket = new MirroredTicket { TicketId = data.TicketId };
                db.Tickets.Add(ticket);
            }
            else if (ticket.Sequence >= data.Sequence)
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
            var ids = data.Tickets.Select(t => t.TicketId).ToList();
            var known = await db.Tickets.Where(t => ids.Contains(t.TicketId)).ToDictionaryAsync(t => t.TicketId, ct);
            foreach (var issued in data.Tickets)
            {
                if (!known.TryGetValue(issued.TicketId, out var ticket))
                {
                    // Arrived before the ticket's first tickets.changed: sequence 0, so that change still applies.
                    ticket = new MirroredTicket
                    {
                        TicketId = issued.TicketId, EventId = data.EventId, OrganizerId = data.OrganizerId, OwnerId = data.OwnerId,
                        Status = TicketStatuses.Issued, ChangedAt = data.IssuedAt,
                    };
                    db.Tickets.Add(ticket);
                }

                ticket.Label = issued.SeatId is not null
                    ? $"{issued.TicketTypeName}: section {issued.Section}, row {issued.Row}, seat {issued.SeatNumber}"
                    : $"{issued.TicketTypeName} (general admission)";
            }
        }, cancellationToken);
        return TopicResult.Success;
    }
}
