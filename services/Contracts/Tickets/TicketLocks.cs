using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Tickets;

/// <summary>
/// The lock of one ticket (one actor per ticket, type <see cref="TicketLocks.TypeName"/>): while a ticket is locked it cannot be given
/// away and its codes do not admit (<see cref="TicketChanged.Locked"/>), until whoever locked it unlocks it with the same
/// lock id. The marketplace locks a listed ticket (<see cref="TicketLockReasons.Listing"/>) and, when it is sold, reissues
/// it to the buyer; support may lock a ticket for its own reasons. Every method is idempotent per lock id.
/// </summary>
public interface ITicketLockActor : IActor
{
    /// <summary>Locks an active ticket of <see cref="LockTicket.OwnerId"/>; locking again with the same lock id answers the same.</summary>
    Task<TicketLockResult> LockAsync(LockTicket request);

    /// <summary>Lifts the lock if it is still <see cref="UnlockTicket.LockId"/>'s; a ticket no longer under that lock is answered as it is.</summary>
    Task<TicketLockResult> UnlockAsync(UnlockTicket request);

    /// <summary>
    /// Hands the ticket, locked under <see cref="ReissueTicket.LockId"/>, to <see cref="ReissueTicket.ToOwnerId"/> exactly as an
    /// accepted gift does (new owner, next secret version: every code, screenshot and wallet pass of the seller dies) and
    /// lifts the lock. Repeating it after it happened answers the reissued ticket.
    /// </summary>
    Task<TicketLockResult> ReissueAsync(ReissueTicket request);
}

public static class TicketLocks
{
    public const string TypeName = "TicketLock";

    public static ActorId Id(Guid ticketId) => new(ticketId.ToString("N"));

    /// <summary>The will-call lock's id: derived from the ticket, so the box office that releases it needs nothing but the ticket id.</summary>
    public static Guid WillCallLockId(Guid ticketId) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"will-call/{ticketId:N}")).AsSpan(0, 16));
}

/// <summary>Why a ticket is locked; the tickets module accepts only these.</summary>
public static class TicketLockReasons
{
    /// <summary>Listed for resale in the marketplace.</summary>
    public const string Listing = "listing";

    /// <summary>Held by support (a dispute, a suspected fraud).</summary>
    public const string Support = "support";

    /// <summary>Held for pickup at the box office until an ID check there releases it.</summary>
    public const string WillCall = "will_call";

    public static readonly IReadOnlyList<string> All = [Listing, Support, WillCall];
}

/// <summary>Why a lock, unlock or reissue was refused (the <see cref="TicketLockResult.Failure"/>).</summary>
public static class TicketLockFailures
{
    /// <summary>No such ticket, or not the caller's owner's.</summary>
    public const string NotFound = "ticket_not_found";

    /// <summary>The ticket is not active (used, refunded, cancelled, expired...).</summary>
    public const string NotActive = "ticket_not_active";

    /// <summary>Another lock holds it.</summary>
    public const string Locked = "ticket_locked";

    /// <summary>It is one event's ticket of a pass, which is sold and given only whole (docs/adr/0023).</summary>
    public const string PassTicketNotSeparable = "pass_ticket_not_separable";

    /// <summary>A gift of it is pending.</summary>
    public const string TransferPending = "transfer_pending";

    /// <summary>Its event has started or was cancelled: it can no longer change hands.</summary>
    public const string EventClosed = "event_closed";
}

public sealed record LockTicket(Guid TicketId, Guid OwnerId, string Reason, Guid LockId);

public sealed record UnlockTicket(Guid TicketId, Guid LockId);

/// <summary><see cref="ReissueId"/> names the handover (the marketplace's resale id) in <see cref="TicketTransferred.TransferId"/>.</summary>
public sealed record ReissueTicket(Guid TicketId, Guid LockId, Guid FromOwnerId, Guid ToOwnerId, Guid ReissueId);

/// <summary><see cref="Failure"/> is null when the request was carried out (or had been), else one of <see cref="TicketLockFailures"/>.</summary>
public sealed record TicketLockResult(string? Failure, LockedTicket? Ticket);

/// <summary>
/// A ticket as the lock sees it: what a resale needs to price and describe it (<see cref="OrderId"/> is the order it was
/// first sold in, which it keeps through gifts and resales; money in minor units of <see cref="Currency"/>).
/// </summary>
public sealed record LockedTicket(Guid TicketId, Guid EventId, Guid OrganizerId, Guid OwnerId, Guid? OrderId, Guid TicketTypeId, string TicketTypeName,
    string? SeatId, string? Section, string? Row, string? SeatNumber, long FaceValue, string Currency, string Status, int SecretVersion, string? LockReason,
    Guid? LockId);
