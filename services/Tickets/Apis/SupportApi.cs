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
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// Support for an organizer's admins: lock a ticket of their event (lost, stolen, disputed) so that it does not admit,
/// cannot be given away and cannot be listed, and unlock it again; each with a note in the ticket's audit. The lock is
/// the tickets module's general lock (<see cref="ITicketLockActor"/>) with reason <c>support</c> and one lock id per
/// ticket, so a retried request finds its own lock. Another organizer's ticket is answered 404.
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
            .WithJsonRequestExamples(new RequestExample("lost", "The holder reported the ticket stolen", """{ "note": "Holder reported the phone stolen, case 4711" }"""));
        tickets.MapPost("/unlock", UnlockTicket).WithName("UnlockTicketForSupport")
            .WithSummary("Lifts support's lock of a ticket; the note goes into its audit.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(new RequestExample("found", "The holder found the ticket again", """{ "note": "Phone found, case 4711 closed" }"""));
        tickets.MapGet("/audit", AuditOf).WithName("GetTicketAudit").WithSummary("What support did to the ticket, oldest first: who locked or unlocked it, when and why.");
    }

    public sealed record SupportNote([property: Required, StringLength(500, MinimumLength = 3)] string Note);

    public sealed record SupportTicketResponse(Guid TicketId, Guid EventId, string Status, string? LockReason, DateTimeOffset? LockedAt);

    public sealed record AuditEntryResponse(Guid Id, string Action, string Note, Guid ActorId, DateTimeOffset At);

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

    private static async Task<Ok<IReadOnlyList<AuditEntryResponse>>> AuditOf(Guid organizerId, Guid ticketId, Caller caller, TicketsDbContext db, CancellationToken cancellationToken)
    {
        await TicketOfAsync(organizerId, ticketId, caller, db, cancellationToken);
        var entries = await db.Audit.AsNoTracking().Where(a => a.TicketId == ticketId).OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<AuditEntryResponse>>([.. entries.Select(a => new AuditEntryResponse(a.Id, a.Action, a.Note, a.ActorId, a.At))]);
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
        return new SupportTicketResponse(t.Id, t.EventId, TicketLifecycle.Name(t.Status), t.LockReason, t.LockedAt);
    }

    private static ITicketLockActor LockOf(IActorProxyFactory actors, Guid ticketId) => actors.CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticketId), TicketLocks.TypeName);

    private static Guid SupportLockId(Guid ticketId) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"support-lock/{ticketId:N}")).AsSpan(0, 16));
}
