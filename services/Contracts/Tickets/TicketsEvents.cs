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
/// <remarks><c>Status</c> is one of <see cref="TicketStatuses"/>; <c>SeatId</c> is the reserved seat, or null for general admission.</remarks>
public sealed record TicketChanged(Guid TicketId, Guid EventId, Guid OrganizerId, Guid OwnerId, Guid TicketTypeId, string? SeatId, string Status,
    int SecretVersion, bool Locked, long Sequence, DateTimeOffset ChangedAt)
{
    public const string Topic = "tickets.changed";
}
