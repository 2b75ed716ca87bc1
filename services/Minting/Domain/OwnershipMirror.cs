using TicketToken.Contracts.Tickets;
using TicketToken.Minting.Data;

namespace TicketToken.Minting.Domain;

/// <summary>What the mirror should show for a ticket in a given status.</summary>
public enum Presence
{
    /// <summary>Nothing yet: the order is not confirmed (or the status says nothing about holding it).</summary>
    NotYet,

    /// <summary>Held by its owner: active, used or expired (a used or expired ticket stays a keepsake).</summary>
    Held,

    /// <summary>Gone: refunded, revoked or cancelled (the token is burned).</summary>
    Gone,
}

public static class Presences
{
    public static Presence Of(string status) => status switch
    {
        TicketStatuses.Active or TicketStatuses.CheckedIn or TicketStatuses.Expired => Presence.Held,
        TicketStatuses.Refunded or TicketStatuses.Revoked or TicketStatuses.Cancelled => Presence.Gone,
        _ => Presence.NotYet,
    };
}

/// <summary>How far one pass got: the mirror now says what the ticket says, or a transaction is still on its way.</summary>
public enum MirrorResult
{
    Done,
    InFlight,
}

/// <summary>What the mirror says about a ticket, for reconciliation.</summary>
/// <param name="InSync">It says what the database says.</param>
/// <param name="Repairable">If not, whether mirroring the ticket again fixes it (else a person must look).</param>
/// <param name="Finding">What is out of step, in words for the admin route.</param>
public sealed record MirrorReading(bool InSync, bool Repairable, string? Finding);

/// <summary>A backend that mirrors tickets' ownership: the off-chain registry or Solana.</summary>
public interface IOwnershipMirror
{
    string Backend { get; }

    /// <summary>Makes the mirror say what <paramref name="ticket"/> says now; safe to repeat after any crash.</summary>
    Task<MirrorResult> ApplyAsync(MirroredTicket ticket, CancellationToken cancellationToken);

    Task<MirrorReading> ReadAsync(MirroredTicket ticket, CancellationToken cancellationToken);
}

/// <summary>The registry backend: an entry whenever the owner or status changed.</summary>
public sealed class RegistryMirror(OwnershipRegistry registry, MintingDbContext db) : IOwnershipMirror
{
    public string Backend => MirrorBackends.Registry;

    public async Task<MirrorResult> ApplyAsync(MirroredTicket ticket, CancellationToken cancellationToken)
    {
        if (await registry.AppendAsync(ticket, cancellationToken) is not null)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        return MirrorResult.Done;
    }

    public async Task<MirrorReading> ReadAsync(MirroredTicket ticket, CancellationToken cancellationToken)
    {
        var latest = await registry.LatestAsync(ticket.TicketId, cancellationToken);
        return latest is not null && latest.OwnerId == ticket.OwnerId && latest.Status == ticket.Status
            ? new MirrorReading(true, false, null)
            : new MirrorReading(false, true, latest is null ? "not in the registry" : $"the registry says owner {latest.OwnerId}, status {latest.Status}");
    }
}
