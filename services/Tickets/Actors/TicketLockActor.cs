using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Actors;

/// <summary>
/// One ticket's lock (<see cref="ITicketLockActor"/>). The actor's turns order the callers of one ticket; the row lock
/// (<c>for update</c>) orders them with a gift being started or accepted in the same moment, which takes the same row lock.
/// The database is the only state, so a repeated call after a crash answers from what was committed.
/// </summary>
public sealed class TicketLockActor(ActorHost host, TicketsDbContext db) : Actor(host), ITicketLockActor
{
    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    public async Task<TicketLockResult> LockAsync(LockTicket request)
    {
        return await InTransactionAsync(request.TicketId, async (ticket, @event) =>
        {
            if (ticket.OwnerId != request.OwnerId)
            {
                return Refused(TicketLockFailures.NotFound);
            }

            if (ticket.LockId == request.LockId)
            {
                return Done(ticket); // the same lock, asked again
            }

            if (ticket.Status != TicketStatus.Active)
            {
                return Refused(TicketLockFailures.NotActive, ticket);
            }

            if (ticket.LockReason is not null)
            {
                return Refused(TicketLockFailures.Locked, ticket);
            }

            // A pass is one purchase: one event's ticket of it is not resold apart from the others.
            if (request.Reason == TicketLockReasons.Listing && ticket.PassId is not null)
            {
                return Refused(TicketLockFailures.PassTicketNotSeparable, ticket);
            }

            // Support locks a lost or disputed ticket at any time, the doors open included; only a sale stops at the start.
            if (@event.CancelledAt is not null || (@event.StartsAt <= Now && request.Reason != TicketLockReasons.Support))
            {
                return Refused(TicketLockFailures.EventClosed, ticket);
            }

            if (await db.Transfers.AnyAsync(t => (t.TicketId == ticket.Id || (ticket.PassId != null && t.PassId == ticket.PassId && t.SenderId == ticket.OwnerId))
                    && t.Status == TransferStatus.Pending && t.ExpiresAt > Now))
            {
                return Refused(TicketLockFailures.TransferPending, ticket);
            }

            TicketLifecycle.Lock(ticket, request.Reason, request.LockId, Now); // tickets.changed (locked) goes with the save
            return Done(ticket);
        });
    }

    public async Task<TicketLockResult> UnlockAsync(UnlockTicket request)
    {
        return await InTransactionAsync(request.TicketId, (ticket, _) =>
        {
            if (ticket.LockId == request.LockId)
            {
                TicketLifecycle.Lock(ticket, null, null, Now);
            }

            return Task.FromResult(Done(ticket));
        });
    }

    public async Task<TicketLockResult> ReissueAsync(ReissueTicket request)
    {
        return await InTransactionAsync(request.TicketId, (ticket, @event) =>
        {
            if (ticket.OwnerId == request.ToOwnerId && ticket.LockId != request.LockId)
            {
                return Task.FromResult(Done(ticket)); // reissued already
            }

            if (ticket.LockId != request.LockId || ticket.OwnerId != request.FromOwnerId)
            {
                return Task.FromResult(Refused(TicketLockFailures.Locked, ticket));
            }

            if (ticket.Status != TicketStatus.Active)
            {
                return Task.FromResult(Refused(TicketLockFailures.NotActive, ticket));
            }

            if (@event.CancelledAt is not null)
            {
                return Task.FromResult(Refused(TicketLockFailures.EventClosed, ticket));
            }

            // What an accepted gift does (TransfersApi.AcceptTransfer): new owner, next secret version, and the same events.
            var now = Now;
            TicketLifecycle.Lock(ticket, null, null, now);
            TicketLifecycle.Transfer(ticket, request.ToOwnerId, now);
            db.Publish(TicketTransferred.Topic, new TicketTransferred(request.ReissueId, ticket.Id, ticket.EventId, ticket.OrganizerId, request.FromOwnerId,
                request.ToOwnerId, now));
            return Task.FromResult(Done(ticket));
        });
    }

    private async Task<TicketLockResult> InTransactionAsync(Guid ticketId, Func<Ticket, Event, Task<TicketLockResult>> change)
    {
        if (ticketId.ToString("N") != Id.Id)
        {
            throw new ArgumentException($"Ticket lock {Id.Id} was asked about ticket {ticketId}.", nameof(ticketId));
        }

        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var ticket = await db.Tickets.FromSql($"select * from tickets.tickets where id = {ticketId} for update").SingleOrDefaultAsync();
        if (ticket is null)
        {
            return Refused(TicketLockFailures.NotFound);
        }

        var @event = await db.Events.AsNoTracking().SingleAsync(e => e.Id == ticket.EventId);
        var result = await change(ticket, @event);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return result with { Ticket = result.Ticket is null ? null : View(ticket) };
    }

    private static TicketLockResult Done(Ticket ticket) => new(null, View(ticket));

    private static TicketLockResult Refused(string failure, Ticket? ticket = null) => new(failure, ticket is null ? null : View(ticket));

    private static LockedTicket View(Ticket t) => new(t.Id, t.EventId, t.OrganizerId, t.OwnerId, t.OrderId, t.TicketTypeId, t.TicketTypeName, t.SeatId, t.Section,
        t.SeatRow, t.SeatNumber, t.FaceValue, t.Currency, TicketLifecycle.Name(t.Status), t.SecretVersion, t.LockReason, t.LockId);
}
