using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// Support for an organizer's admins: lock a ticket of their event (lost, stolen, disputed) so that it does not admit,
/// cannot be given away and cannot be listed, and unlock it again; each with a note in the ticket's audit. The lock is
/// the tickets module's general lock (<see cref="ITicketLockActor"/>) with reason <c>support</c> and one lock id per
/// ticket, so a retried request finds its own lock. Reissue gives a lost or stolen ticket a new secret (ADR 0021). Another
/// organizer's ticket is answered 404.
/// </summary>
public static class SupportApi
{
    public static void MapSupportApi(this IEndpointRouteBuilder app)
    {
        var tickets = app.MapGroup("/api/tickets/organizers/{organizerId:guid}/tickets/{ticketId:guid}").WithTags("Ticket support")
            .RequireAuthorization(Policies.OrganizerAdmin);
        tickets.MapPost("/lock", LockTicket).WithName("LockTicketForSupport")
            .WithSummary("Locks a ticket of the organizer's event: its codes stop admitting (ticket_locked at the gate), it cannot be transferred or listed; the note goes into its audit.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(new RequestExample("lost", "The holder reported the ticket stolen", """{ "note": "Holder reported the phone stolen, case 4711" }"""))
            .Problems(TicketsProblems.OrganizerNotFound, () => TicketsProblems.SupportLockRefused("a b", "a b"), TicketsProblems.TicketNotFound);
        tickets.MapPost("/unlock", UnlockTicket).WithName("UnlockTicketForSupport")
            .WithSummary("Lifts support's lock of a ticket; the note goes into its audit.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(new RequestExample("found", "The holder found the ticket again", """{ "note": "Phone found, case 4711 closed" }"""))
            .Problems(TicketsProblems.OrganizerNotFound, TicketsProblems.TicketNotFound, TicketsProblems.TicketNotSupportLocked);
        tickets.MapPost("/reissue", ReissueTicket).WithName("ReissueTicket")
            .WithSummary("Reissues a lost or stolen ticket to its holder: the same ticket with its next secret version, so every earlier code, print and wallet pass is refused at the gate (superseded); audited, and the holder is sent the new ticket.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(new RequestExample("stolen", "The holder's phone was stolen", """{ "reason": "stolen", "note": "Phone stolen at the station, police report 2026-1207-17" }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per reissue (a UUID), sent again unchanged when retrying it, so that a retry does not void the new ticket too.")
            .Problems(TicketsProblems.IdempotencyKeyRequired, TicketsProblems.OrganizerNotFound, () => TicketsProblems.ReissueRefused("a b"), TicketsProblems.TicketNotFound);
        tickets.MapGet("/audit", AuditOf).WithName("GetTicketAudit").WithSummary("What support did to the ticket, oldest first: who locked or unlocked it, when and why.")
            .Problems(TicketsProblems.OrganizerNotFound, TicketsProblems.TicketNotFound);
    }

    public sealed record SupportNote([property: Required, StringLength(500, MinimumLength = 3)] string Note);

    public sealed record ReissueRequest(
        [property: Required, AllowedValues("lost", "stolen", "damaged", "other")] string Reason,
        [property: Required, StringLength(500, MinimumLength = 3)] string Note);

    public sealed record SupportTicketResponse(Guid TicketId, Guid EventId, string Status, string? LockReason, DateTimeOffset? LockedAt, int SecretVersion);

    public sealed record AuditEntryResponse(Guid Id, string Action, string? Reason, string Note, Guid ActorId, DateTimeOffset At);

    private static async Task<Ok<SupportTicketResponse>> LockTicket(Guid organizerId, Guid ticketId, SupportNote request, Caller caller, TicketsDbContext db,
        IActorProxyFactory actors, TimeProvider time, CancellationToken cancellationToken)
    {
        var ticket = await TicketOfAsync(organizerId, ticketId, caller, db, cancellationToken);
        var locked = await LockOf(actors, ticketId).LockAsync(new LockTicket(ticketId, ticket.OwnerId, TicketLockReasons.Support, SupportLockId(ticketId)));
        if (locked.Failure is { } failure)
        {
            throw failure == TicketLockFailures.NotFound ? TicketsProblems.TicketNotFound() : TicketsProblems.SupportLockRefused(failure, locked.Ticket?.LockReason);
        }

        await AuditAsync(db, ticket, "lock", request.Note, caller, time, cancellationToken);
        return TypedResults.Ok(await ViewAsync(db, ticketId, cancellationToken));
    }

    private static async Task<Ok<SupportTicketResponse>> UnlockTicket(Guid organizerId, Guid ticketId, SupportNote request, Caller caller, TicketsDbContext db,
        IActorProxyFactory actors, TimeProvider time, CancellationToken cancellationToken)
    {
        var ticket = await TicketOfAsync(organizerId, ticketId, caller, db, cancellationToken);
        if (ticket.LockId == SupportLockId(ticketId))
        {
            await LockOf(actors, ticketId).UnlockAsync(new UnlockTicket(ticketId, SupportLockId(ticketId)));
        }
        else if (await LastActionAsync(db, ticketId, cancellationToken) != "unlock")
        {
            throw TicketsProblems.TicketNotSupportLocked();
        }

        await AuditAsync(db, ticket, "unlock", request.Note, caller, time, cancellationToken);
        return TypedResults.Ok(await ViewAsync(db, ticketId, cancellationToken));
    }

    /// <summary>
    /// One transaction under the ticket's row lock (which gifts take too): the next secret version, support's lock lifted
    /// (the reissue settles the case; a will-call hold stays), pending gifts cancelled (a thief's gift must not carry the new
    /// ticket away), the audit entry (id = the reissue's, derived from the key, so a retry finds it) and tickets.reissued.
    /// </summary>
    private static async Task<Ok<SupportTicketResponse>> ReissueTicket(Guid organizerId, Guid ticketId, ReissueRequest request, Caller caller, TicketsDbContext db,
        TimeProvider time, [Microsoft.AspNetCore.Mvc.FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        await TicketOfAsync(organizerId, ticketId, caller, db, cancellationToken);
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 200)
        {
            throw TicketsProblems.IdempotencyKeyRequired();
        }

        var reissueId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"reissue/{ticketId:N}/{idempotencyKey}")).AsSpan(0, 16));
        if (!await db.Audit.AnyAsync(a => a.Id == reissueId, cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ticket = await db.Tickets.FromSql($"select * from tickets.tickets where id = {ticketId} for update").SingleAsync(cancellationToken);
            var cancelled = await db.Events.AsNoTracking().Where(e => e.Id == ticket.EventId).Select(e => e.CancelledAt).SingleAsync(cancellationToken);
            if (await db.Audit.AnyAsync(a => a.Id == reissueId, cancellationToken))
            {
                return TypedResults.Ok(await ViewAsync(db, ticketId, cancellationToken)); // a racing retry did it while we waited for the row
            }

            if (ticket.Status != TicketStatus.Active || cancelled is not null || ticket.LockReason == TicketLockReasons.Listing)
            {
                throw TicketsProblems.ReissueRefused(ticket.LockReason == TicketLockReasons.Listing ? TicketLockReasons.Listing
                    : cancelled is not null ? "of a cancelled event" : TicketLifecycle.Name(ticket.Status).Replace('_', ' '));
            }

            var now = time.GetUtcNow();
            if (ticket.LockReason == TicketLockReasons.Support)
            {
                TicketLifecycle.Lock(ticket, null, null, now);
            }

            TicketLifecycle.NewSecret(ticket, now);
            await db.Transfers.Where(t => t.TicketId == ticketId && t.Status == TransferStatus.Pending)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.Status, TransferStatus.Cancelled).SetProperty(x => x.CompletedAt, now), cancellationToken);
            db.Audit.Add(new TicketAuditEntry
            {
                Id = reissueId, TicketId = ticketId, OrganizerId = ticket.OrganizerId, Action = "reissue", Reason = request.Reason, Note = request.Note.Trim(),
                ActorId = caller.RequiredUserId, At = now,
            });
            db.Publish(TicketReissued.Topic, new TicketReissued(reissueId, ticketId, ticket.EventId, ticket.OrganizerId, ticket.OwnerId, ticket.SecretVersion, request.Reason, now));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return TypedResults.Ok(await ViewAsync(db, ticketId, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<AuditEntryResponse>>> AuditOf(Guid organizerId, Guid ticketId, Caller caller, TicketsDbContext db, CancellationToken cancellationToken)
    {
        await TicketOfAsync(organizerId, ticketId, caller, db, cancellationToken);
        var entries = await db.Audit.AsNoTracking().Where(a => a.TicketId == ticketId).OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AuditEntryResponse>>([.. entries.Select(a => new AuditEntryResponse(a.Id, a.Action, a.Reason, a.Note, a.ActorId, a.At))]);
    }

    private static async Task<Ticket> TicketOfAsync(Guid organizerId, Guid ticketId, Caller caller, TicketsDbContext db, CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw TicketsProblems.OrganizerNotFound();
        }

        return await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == ticketId && t.OrganizerId == organizerId, cancellationToken)
            ?? throw TicketsProblems.TicketNotFound();
    }

    /// <summary>
    /// The audit entry follows the lock's change, in its own save: a crash between the two leaves the entry to the retry,
    /// which finds the change made and the last entry not yet saying so. A repeated request adds nothing.
    /// </summary>
    private static async Task AuditAsync(TicketsDbContext db, Ticket ticket, string action, string note, Caller caller, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await LastActionAsync(db, ticket.Id, cancellationToken) == action)
        {
            return;
        }

        db.Audit.Add(new TicketAuditEntry
        {
            Id = Guid.CreateVersion7(), TicketId = ticket.Id, OrganizerId = ticket.OrganizerId, Action = action, Note = note.Trim(), ActorId = caller.RequiredUserId,
            At = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static Task<string?> LastActionAsync(TicketsDbContext db, Guid ticketId, CancellationToken cancellationToken) =>
        db.Audit.AsNoTracking().Where(a => a.TicketId == ticketId).OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Select(a => a.Action).FirstOrDefaultAsync(cancellationToken);

    private static async Task<SupportTicketResponse> ViewAsync(TicketsDbContext db, Guid ticketId, CancellationToken cancellationToken)
    {
        var t = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId, cancellationToken);
        return new SupportTicketResponse(t.Id, t.EventId, TicketLifecycle.Name(t.Status), t.LockReason, t.LockedAt, t.SecretVersion);
    }

    private static ITicketLockActor LockOf(IActorProxyFactory actors, Guid ticketId) => actors.CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticketId), TicketLocks.TypeName);

    private static Guid SupportLockId(Guid ticketId) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"support-lock/{ticketId:N}")).AsSpan(0, 16));
}
