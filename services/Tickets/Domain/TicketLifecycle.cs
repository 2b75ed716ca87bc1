using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;

namespace TicketToken.Tickets.Domain;

public enum TicketStatus
{
    Issued,
    Active,
    CheckedIn,
    Transferred,
    Refunded,
    Revoked,
    Expired,
    Cancelled,
}

/// <summary>
/// The life of a ticket, and the only place its status changes: one ticket at a time through <see cref="Change"/>, or
/// all of an event's at once through <see cref="ChangeAllAsync"/>, both by the same table (docs/adr/0009-tickets.md).
/// </summary>
public static class TicketLifecycle
{
    private static readonly Dictionary<TicketStatus, TicketStatus[]> Moves = new()
    {
        // Made for an order; active once the order is confirmed, or gone with the order or the event.
        [TicketStatus.Issued] = [TicketStatus.Active, TicketStatus.Revoked, TicketStatus.Refunded, TicketStatus.Cancelled, TicketStatus.Expired],
        [TicketStatus.Active] = [TicketStatus.CheckedIn, TicketStatus.Transferred, TicketStatus.Revoked, TicketStatus.Refunded, TicketStatus.Cancelled, TicketStatus.Expired],
        // Back to active is re-entry (scan out); whether an event allows it is the scanning module's policy. A ticket
        // that was used does not expire or get cancelled: it keeps the record that its holder came in.
        [TicketStatus.CheckedIn] = [TicketStatus.Active, TicketStatus.Revoked, TicketStatus.Refunded],
        // The refund that follows a cancelled event.
        [TicketStatus.Cancelled] = [TicketStatus.Refunded],
    };

    public static bool CanChange(TicketStatus from, TicketStatus to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>The statuses from which a ticket may move to <paramref name="to"/>.</summary>
    public static IReadOnlyList<TicketStatus> Sources(TicketStatus to) => [.. Moves.Where(m => m.Value.Contains(to)).Select(m => m.Key)];

    /// <summary>Moves one ticket; a move the table does not allow throws.</summary>
    public static void Change(Ticket ticket, TicketStatus to, DateTimeOffset at, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!CanChange(ticket.Status, to))
        {
            throw new InvalidOperationException($"A ticket cannot go from {Name(ticket.Status)} to {Name(to)}.");
        }

        ticket.Status = to;
        ticket.StatusReason = reason;
        ticket.StatusChangedAt = at;
        ticket.ChangedAt = at;
        if (to == TicketStatus.Active)
        {
            ticket.ActivatedAt ??= at;
        }
    }

    /// <summary>
    /// Gives an active ticket to <paramref name="recipientId"/>: the same ticket (the same id, seat and history) with a new owner
    /// and the next secret version, so every code the previous owner could make (screenshots, the offline secret) is refused.
    /// </summary>
    public static void Transfer(Ticket ticket, Guid recipientId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (ticket.Status != TicketStatus.Active)
        {
            throw new InvalidOperationException($"Only an active ticket can be given away, not a {Name(ticket.Status)} one.");
        }

        ticket.OwnerId = recipientId;
        ticket.SecretVersion++;
        ticket.ChangedAt = at;
    }

    /// <summary>
    /// A reissue: the same owner with the next secret version, so every code, print and pass made with the old one is
    /// refused as superseded, as after a gift (the ticket keeps its id: ADR 0009, ADR 0021).
    /// </summary>
    public static void NewSecret(Ticket ticket, DateTimeOffset at) => Transfer(ticket, ticket.OwnerId, at);

    /// <summary>Locks an unlocked ticket (codes stop admitting, gifts are refused) or, with a null reason, lifts its lock.</summary>
    public static void Lock(Ticket ticket, string? reason, Guid? lockId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (reason is not null && (ticket.LockReason is not null || lockId is null || !TicketLockReasons.All.Contains(reason)))
        {
            throw new InvalidOperationException($"Ticket {ticket.Id} cannot be locked for '{reason}' (locked now: {ticket.LockReason ?? "no"}).");
        }

        ticket.LockReason = reason;
        ticket.LockId = reason is null ? null : lockId;
        ticket.LockedAt = reason is null ? null : at;
        ticket.ChangedAt = at;
    }

    /// <summary>
    /// Moves every ticket of the event that may go to <paramref name="to"/> in one statement, which also gives each its next
    /// version and puts its <c>tickets.changed</c> in the outbox; returns how many moved. Run it in a transaction with
    /// whatever else the change means, and ring the outbox relay after the commit (or leave it to the relay's poll).
    /// </summary>
    public static Task<int> ChangeAllAsync(TicketsDbContext db, Guid eventId, TicketStatus to, DateTimeOffset at, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sources = Sources(to).Select(Name).ToArray();
        var status = Name(to);
        var traceParent = Activity.Current?.Id;
        // The JSON is TicketChanged as RuntimeJson writes it (camelCase); the relay publishes it as it is.
        return db.Database.ExecuteSqlAsync($"""
            with changed as (
                update tickets.tickets set status = {status}, status_reason = {reason}, status_changed_at = {at}, changed_at = {at}, version = version + 1
                where event_id = {eventId} and status = any({sources})
                returning id, event_id, organizer_id, owner_id, ticket_type_id, seat_id, status, secret_version, lock_reason, version, changed_at)
            insert into tickets.outbox_messages (id, pubsub_name, topic, type, data, trace_parent)
            select gen_random_uuid(), {PubSubNames.Default}, {TicketChanged.Topic}, {TicketChanged.Topic},
                   jsonb_build_object('ticketId', id, 'eventId', event_id, 'organizerId', organizer_id, 'ownerId', owner_id, 'ticketTypeId', ticket_type_id,
                                      'seatId', seat_id, 'status', status, 'secretVersion', secret_version, 'locked', lock_reason is not null, 'sequence', version, 'changedAt', changed_at),
                   {traceParent}::text
            from changed
            """, cancellationToken);
    }

    public static string Name(TicketStatus status) => status switch
    {
        TicketStatus.Issued => TicketStatuses.Issued,
        TicketStatus.Active => TicketStatuses.Active,
        TicketStatus.CheckedIn => TicketStatuses.CheckedIn,
        TicketStatus.Transferred => TicketStatuses.Transferred,
        TicketStatus.Refunded => TicketStatuses.Refunded,
        TicketStatus.Revoked => TicketStatuses.Revoked,
        TicketStatus.Expired => TicketStatuses.Expired,
        _ => TicketStatuses.Cancelled,
    };

    public static TicketStatus Parse(string name) => name switch
    {
        TicketStatuses.Issued => TicketStatus.Issued,
        TicketStatuses.Active => TicketStatus.Active,
        TicketStatuses.CheckedIn => TicketStatus.CheckedIn,
        TicketStatuses.Transferred => TicketStatus.Transferred,
        TicketStatuses.Refunded => TicketStatus.Refunded,
        TicketStatuses.Revoked => TicketStatus.Revoked,
        TicketStatuses.Expired => TicketStatus.Expired,
        TicketStatuses.Cancelled => TicketStatus.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a ticket status."),
    };
}
