using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// Each event's key: random, made once by whoever first needs the event (the first ticket or the announcement), kept
/// encrypted; ticket secrets are derived from it (<see cref="TicketCode.DeriveSecret"/>) and never stored.
/// </summary>
internal static class EventKeys
{
    /// <summary>Makes the event's row with a new key unless it has one; the first writer wins, in the caller's transaction.</summary>
    public static Task EnsureAsync(TicketsDbContext db, SecretProtector protector, Guid eventId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.Database.ExecuteSqlAsync($"""
            insert into tickets.events (id, key_ciphertext, created_at, updated_at) values ({eventId}, {NewKey(protector)}, {now}, {now})
            on conflict (id) do nothing
            """, cancellationToken);

    public static byte[] NewKey(SecretProtector protector) => protector.Protect(RandomNumberGenerator.GetBytes(TicketCode.EventKeySize));

    /// <summary>The ticket's current secret, what its codes are made with.</summary>
    public static byte[] TicketSecret(SecretProtector protector, Event @event, Ticket ticket) =>
        TicketCode.DeriveSecret(protector.Unprotect(@event.KeyCiphertext), ticket.Id, ticket.SecretVersion);
}
