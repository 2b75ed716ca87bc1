using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Tickets;

/// <summary>Actor types of the tickets module that other modules call, and how their ids are made.</summary>
public static class TicketsActors
{
    public const string Issuer = "TicketIssuer";

    public static ActorId IssuerId(Guid orderId) => new(orderId.ToString("N"));

    public const string EntryKeys = "EventEntryKeys";

    public static ActorId EntryKeysId(Guid eventId) => new(eventId.ToString("N"));

    public const string Documents = "TicketDocuments";

    /// <summary>One documents actor per ticket holder: the documents of a holder's tickets are made in their name.</summary>
    public static ActorId DocumentsId(Guid ownerId) => new(ownerId.ToString("N"));
}

/// <summary>
/// What a fan carries for their tickets, for the notifications module's e-mails (one actor per holder, id
/// <see cref="TicketsActors.DocumentsId"/>): one PDF with every asked-for ticket, and per ticket the links that add it
/// to a wallet. Only tickets the holder owns and that are active are included; null when none is.
/// </summary>
public interface ITicketDocumentsActor : IActor
{
    Task<TicketDocuments?> GetAsync(TicketDocumentsRequest request);
}

/// <summary>The tickets to include (the holder is the actor's id).</summary>
public sealed record TicketDocumentsRequest(IReadOnlyList<Guid> TicketIds);

/// <summary>One PDF for all the tickets (<see cref="PdfFileName"/>, <c>application/pdf</c>) and the wallet links of each.</summary>
public sealed record TicketDocuments(Guid OwnerId, string PdfFileName, byte[] Pdf, IReadOnlyList<TicketWalletLinks> Tickets);

/// <summary>
/// Links that work from an e-mail without signing in (each carries its own signed, expiring proof); null where that
/// wallet is not offered (not configured, or the organizer forbids wallet passes for the event).
/// </summary>
public sealed record TicketWalletLinks(Guid TicketId, string Label, string? AppleWalletUrl, string? GoogleWalletUrl);

/// <summary>
/// An event's entry key, for the scanning module only (one actor per event): scanning verifies codes with the ticket
/// secrets it derives from this key (<see cref="TicketCode.DeriveSecret"/>) and hands devices only those derived secrets,
/// never the key. Null when the tickets module has never heard of the event.
/// </summary>
public interface IEventEntryKeysActor : IActor
{
    Task<EventEntryKey?> GetAsync();
}

/// <summary>The event's 32-byte key and the code step (seconds) codes of the event rotate with.</summary>
public sealed record EventEntryKey(Guid EventId, byte[] Key, int StepSeconds);

/// <summary>
/// The tickets of one order (one actor per order): orders issues them after the seats are committed, activates them
/// when the order is confirmed, and revokes them on a refund or a failed purchase. Every method is idempotent.
/// </summary>
public interface ITicketIssuerActor : IActor
{
    /// <summary>Issues one ticket per line; repeating it, or racing it, never makes a second ticket for a (order, line).</summary>
    Task<IssuedTickets> IssueAsync(IssueTickets request);

    /// <summary>Issued tickets become active (their codes can be shown) when the order is confirmed; idempotent.</summary>
    Task<IssuedTickets> ActivateAsync(ActivateTickets request);

    /// <summary>Revokes some lines (null: all); reason <see cref="RevokeTickets.Refunded"/> makes them refunded, any other revoked; idempotent.</summary>
    Task<IssuedTickets> RevokeAsync(RevokeTickets request);

    Task<IssuedTickets> GetAsync();
}

/// <summary>
/// What to issue for an order: one ticket per line, owned by <see cref="OwnerId"/>. Line numbers are unique in the order.
/// <see cref="WillCall"/>: the tickets are held for pickup at the box office, locked (<see cref="TicketLockReasons.WillCall"/>,
/// lock id <see cref="TicketLocks.WillCallLockId"/>) from the start: no code, no admission, until the box office releases them.
/// </summary>
public sealed record IssueTickets(Guid OrderId, string OrderNumber, Guid EventId, Guid OrganizerId, Guid OwnerId, IReadOnlyList<TicketLine> Lines, bool WillCall = false);

/// <summary>
/// One ticket to issue: a reserved seat (<see cref="SeatId"/> set) or general admission; money in minor units.
/// <see cref="EventId"/>: the event of a pass's line (docs/adr/0023), whose order spans several; null is the order's event.
/// <see cref="PassId"/> and <see cref="PassName"/>: the pass the ticket is one event of.
/// </summary>
public sealed record TicketLine(int LineNumber, Guid TicketTypeId, string TicketTypeName, string? SeatId, string? Section, string? Row, string? SeatNumber,
    string? PriceZone, long FaceValue, string Currency, Guid? EventId = null, Guid? PassId = null, string? PassName = null);

public sealed record ActivateTickets(Guid OrderId);

/// <summary>Revokes <see cref="LineNumbers"/> of the order (null: every line).</summary>
public sealed record RevokeTickets(Guid OrderId, IReadOnlyList<int>? LineNumbers, string Reason)
{
    /// <summary>The reason that marks the tickets refunded rather than revoked.</summary>
    public const string Refunded = "refunded";
}

/// <summary>The order's tickets, by line number.</summary>
public sealed record IssuedTickets(Guid OrderId, IReadOnlyList<IssuedTicket> Tickets);

/// <summary>A ticket and its status (one of <see cref="TicketStatuses"/>).</summary>
public sealed record IssuedTicket(Guid TicketId, int LineNumber, string? SeatId, string Status);

/// <summary>The statuses a ticket can have; the allowed moves between them are the tickets module's (docs/adr/0009-tickets.md).</summary>
public static class TicketStatuses
{
    /// <summary>Made for an order that is not confirmed yet: it has no entry code.</summary>
    public const string Issued = "issued";

    /// <summary>Valid for entry: the owner can show its rotating code.</summary>
    public const string Active = "active";

    public const string CheckedIn = "checked_in";

    /// <summary>Passed to another fan, whose new ticket replaces it.</summary>
    public const string Transferred = "transferred";

    public const string Refunded = "refunded";
    public const string Revoked = "revoked";

    /// <summary>The event is over and the ticket was never used.</summary>
    public const string Expired = "expired";

    /// <summary>The event was cancelled.</summary>
    public const string Cancelled = "cancelled";
}
