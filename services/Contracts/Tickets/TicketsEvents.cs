namespace TicketToken.Contracts.Tickets;

/// <summary>
/// Tickets were issued for an order (topic <see cref="Topic"/>): what minting and notifications need, one entry per new
/// ticket. Published once per ticket, in the transaction that made it; a repeated issue publishes nothing.
/// </summary>
public sealed record TicketsIssued(Guid OrderId, string OrderNumber, Guid EventId, Guid OrganizerId, Guid OwnerId,
    IReadOnlyList<TicketDetails> Tickets, DateTimeOffset IssuedAt)
{
    public const string Topic = "tickets.issued";
}

/// <summary>A ticket as issued: its line, type and seat (null for general admission) and face value in minor units.</summary>
public sealed record TicketDetails(Guid TicketId, int LineNumber, Guid TicketTypeId, string TicketTypeName, string? SeatId, string? Section, string? Row,
    string? SeatNumber, string? PriceZone, long FaceValue, string Currency);

/// <summary>
/// Tickets of an order were revoked or refunded (topic <see cref="Topic"/>); <see cref="Tickets"/> lists only those this
/// request changed, with their new status.
/// </summary>
public sealed record TicketsRevoked(Guid OrderId, Guid EventId, Guid OwnerId, string Reason, IReadOnlyList<IssuedTicket> Tickets, DateTimeOffset RevokedAt)
{
    public const string Topic = "tickets.revoked";
}

/// <summary>An event ended (plus the grace period): its <see cref="Count"/> unused tickets expired (topic <see cref="Topic"/>).</summary>
public sealed record TicketsExpired(Guid EventId, int Count, DateTimeOffset ExpiredAt)
{
    public const string Topic = "tickets.expired";
}

/// <summary>
/// A ticket's entry-relevant state changed (topic <see cref="Topic"/>): it was issued, activated, revoked, refunded,
/// cancelled, expired, locked or unlocked, or transferred (a new owner and a new <see cref="SecretVersion"/>, which makes
/// every code made with an earlier version worthless). Published in the transaction that made the change. Consumers keep
/// the highest <see cref="Sequence"/> per ticket: it grows with every change, so a late or repeated message changes nothing.
/// </summary>
/// <param name="TicketId">The ticket; it keeps its id for its whole life, a transfer included.</param>
/// <param name="EventId">The event it admits to.</param>
/// <param name="OrganizerId">The event's organizer (the tenant).</param>
/// <param name="OwnerId">Who holds it now.</param>
/// <param name="TicketTypeId">Its ticket type, whose access zone catalog announced in <c>event.published</c>.</param>
/// <param name="SeatId">The reserved seat, or null for general admission.</param>
/// <param name="Status">One of <see cref="TicketStatuses"/>.</param>
/// <param name="SecretVersion">The version its codes are made with; codes of any other version are refused.</param>
/// <param name="Locked">Whether it is locked (admits nobody until unlocked).</param>
/// <param name="Sequence">Grows with every change of this ticket; keep the highest.</param>
/// <param name="ChangedAt">When the change happened.</param>
public sealed record TicketChanged(Guid TicketId, Guid EventId, Guid OrganizerId, Guid OwnerId, Guid TicketTypeId, string? SeatId, string Status,
    int SecretVersion, bool Locked, long Sequence, DateTimeOffset ChangedAt)
{
    public const string Topic = "tickets.changed";
}

/// <summary>
/// A ticket was given to another fan (topic <see cref="Topic"/>), for notifications of both. The same ticket, now owned by
/// <see cref="RecipientId"/> with a new secret version (its <see cref="TicketChanged"/> is published with it). Published
/// once per transfer, in the transaction that moved the ticket.
/// </summary>
public sealed record TicketTransferred(Guid TransferId, Guid TicketId, Guid EventId, Guid OrganizerId, Guid SenderId, Guid RecipientId, DateTimeOffset TransferredAt)
{
    public const string Topic = "tickets.transferred";
}

/// <summary>
/// An owner started giving a ticket away (topic <see cref="Topic"/>): notifications e-mails <see cref="AcceptanceCode"/> to
/// <see cref="RecipientEmail"/>. The code is a bearer secret: it travels only in this event and the answer to the sender, is stored by
/// tickets only as a hash, and is never logged. Published once per transfer, in the transaction that created it.
/// </summary>
public sealed record TransferOffered(Guid TransferId, Guid TicketId, Guid EventId, Guid OrganizerId, Guid SenderId, string RecipientEmail, string? Message,
    string AcceptanceCode, DateTimeOffset ExpiresAt)
{
    public const string Topic = "tickets.transfer-offered";
}

/// <summary>
/// Support reissued a lost or stolen ticket (topic <see cref="Topic"/>): the same ticket and owner with the next secret
/// version, so every code, print and wallet pass made before is refused at the gate (<c>superseded</c>). Published once
/// per reissue, in the transaction that changed the ticket; notifications sends the holder the new ticket.
/// </summary>
public sealed record TicketReissued(Guid ReissueId, Guid TicketId, Guid EventId, Guid OrganizerId, Guid OwnerId, int SecretVersion, string Reason,
    DateTimeOffset ReissuedAt)
{
    public const string Topic = "tickets.reissued";
}
