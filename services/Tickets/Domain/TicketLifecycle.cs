using Microsoft.EntityFrameworkCore;
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
        if (to == TicketStatus.Active)
        {
            ticket.ActivatedAt ??= at;
        }
    }

    /// <summary>Moves every ticket of the event that may go to <paramref name="to"/>, in one statement; returns how many moved.</summary>
    public static Task<int> ChangeAllAsync(TicketsDbContext db, Guid eventId, TicketStatus to, DateTimeOffset at, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var sources = Sources(to);
        return db.Tickets.Where(t => t.EventId == eventId && sources.Contains(t.Status)).ExecuteUpdateAsync(ticket => ticket
            .SetProperty(t => t.Status, to)
            .SetProperty(t => t.StatusReason, reason)
            .SetProperty(t => t.StatusChangedAt, at), cancellationToken);
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
