using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// Gifts (DESIGN.md section 4, "Transfer"): the owner starts one and gets an acceptance code to pass on; the recipient
/// signs in and accepts with it; the ticket keeps its id and gets a new owner and a new secret version, so the giver's
/// codes die. Tokens carry no e-mail address, so the code, not the address, decides who may accept (docs/adr/0009-tickets.md).
/// </summary>
public static class TransfersApi
{
    public static IEndpointRouteBuilder MapTransfersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tickets/{ticketId:guid}/transfers", StartTransfer).WithTags("Transfers").RequireAuthorization(Policies.Fan).WithName("StartTransfer")
            .WithSummary("Gives one of your active tickets (with wholePass, every ticket of its pass) to someone: answers the transfer with a one-time acceptance code (shown only here) to pass on; it expires after 48 hours.")
            .WithJsonRequestExamples(new RequestExample("gift", "A gift with a note", """
                { "recipientEmail": "sam@example.com", "message": "Enjoy the show!" }
                """))
            .Problems(TicketsProblems.NotAPass, TicketsProblems.OwnTransfer, TicketsProblems.PassTicketNotSeparable, () => TicketsProblems.TicketLocked("a b"), TicketsProblems.TicketNotFound, () => TicketsProblems.TicketNotTransferable(default), TicketsProblems.TransferAlreadyPending, () => TicketsProblems.TransferCooldown(default), TicketsProblems.TransferDeadlinePassed, TicketsProblems.TransferExpired, () => TicketsProblems.TransferLimitReached(0), TicketsProblems.TransferNotFound, () => TicketsProblems.TransferNotPending(default), PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        var group = app.MapGroup("/api/transfers").WithTags("Transfers").RequireAuthorization(Policies.Fan);
        group.MapGet("/", ListMyTransfers).WithName("ListMyTransfers")
            .WithSummary("Lists the transfers you sent and those you accepted, newest first, with cursor pagination.")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapPost("/{transferId:guid}/accept", AcceptTransfer).WithName("AcceptTransfer")
            .WithSummary("Accepts a transfer with its acceptance code: the ticket becomes yours, with a new entry code; the sender's codes stop working.")
            .WithJsonRequestExamples(new RequestExample("accept", "The code the sender passed on", """
                { "acceptanceCode": "7QK2M-9TXW4-HB3RC-E5NPA" }
                """))
            .Problems(TicketsProblems.OwnTransfer, () => TicketsProblems.TicketLocked("a b"), () => TicketsProblems.TicketNotTransferable(default), TicketsProblems.TransferDeadlinePassed, TicketsProblems.TransferExpired, TicketsProblems.TransferNotFound, () => TicketsProblems.TransferNotPending(default));
        group.MapPost("/{transferId:guid}/cancel", CancelTransfer).WithName("CancelTransfer")
            .WithSummary("Takes back a transfer you sent that nobody has accepted yet.")
            .Problems(TicketsProblems.TransferExpired, TicketsProblems.TransferNotFound, () => TicketsProblems.TransferNotPending(default));
        return app;
    }

    /// <summary><see cref="WholePass"/>: the ticket is one event of a pass, and the gift is the whole pass (docs/adr/0023); a pass's ticket is never given alone.</summary>
    public sealed record StartTransferRequest(
        [property: Required, EmailAddress, StringLength(254)] string RecipientEmail,
        [property: StringLength(500)] string? Message,
        bool? WholePass = null);

    public sealed record AcceptTransferRequest([property: Required, StringLength(64, MinimumLength = 1)] string AcceptanceCode);

    /// <summary>
    /// A transfer as its sender or recipient sees it. <see cref="Direction"/> is <c>sent</c> or <c>received</c>; <see cref="Status"/> is
    /// <c>pending</c>, <c>accepted</c>, <c>cancelled</c> or <c>expired</c>. <see cref="AcceptanceCode"/> is only in the answer that started it.
    /// </summary>
    /// <see cref="PassId"/>: set when the transfer gives a whole pass, of which <see cref="TicketId"/> is one ticket.
    public sealed record TransferResponse(Guid Id, Guid TicketId, Guid EventId, string Direction, string Status, string RecipientEmail, string? Message,
        DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? CompletedAt, Guid? PassId, string? AcceptanceCode = null);

    /// <summary>The filters of <c>GET /api/transfers</c>.</summary>
    public sealed class TransferFilter
    {
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "direction"), AllowedValues(null, "sent", "received")]
        public string? Direction { get; init; }

        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "cursor")]
        public string? Cursor { get; init; }

        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "limit")]
        public int? Limit { get; init; }
    }

    [SkipValidation] // services, not input
    public sealed record TransferServices(TicketsDbContext Db, TimeProvider Time, IOptions<TicketsOptions> Options);

    private static async Task<Created<TransferResponse>> StartTransfer(Guid ticketId, StartTransferRequest request, Caller caller, [AsParameters] TransferServices services,
        CancellationToken cancellationToken)
    {
        var (db, options, now) = (services.Db, services.Options.Value, services.Time.GetUtcNow());
        var sender = caller.RequiredUserId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One owner's transfers take turns, so that two at once cannot both slip under the daily limit.
        await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtextextended({"transfers:" + sender.ToString("N")}, 0))", cancellationToken);
        var ticket = await LockTicketAsync(db, ticketId, cancellationToken);
        if (ticket is null || ticket.OwnerId != sender)
        {
            throw TicketsProblems.TicketNotFound();
        }

        if ((ticket.PassId is not null) != (request.WholePass == true))
        {
            throw ticket.PassId is null ? TicketsProblems.NotAPass() : TicketsProblems.PassTicketNotSeparable();
        }

        var moving = ticket.PassId is null ? [ticket] : await PassTicketsAsync(db, ticket, now, cancellationToken);
        foreach (var each in moving)
        {
            CheckTransferable(each, await db.Events.AsNoTracking().SingleAsync(e => e.Id == each.EventId, cancellationToken), now);
        }

        var movingIds = moving.Select(t => t.Id).ToList();
        var pending = await db.Transfers.Where(t => movingIds.Contains(t.TicketId) && t.Status == TransferStatus.Pending).ToListAsync(cancellationToken);
        foreach (var stale in pending.Where(t => t.ExpiresAt <= now))
        {
            // Nobody sweeps expired transfers; the next one of the ticket records that they are over.
            stale.Status = TransferStatus.Expired;
            stale.CompletedAt = now;
        }

        if (pending.Any(t => t.Status == TransferStatus.Pending))
        {
            throw TicketsProblems.TransferAlreadyPending();
        }

        if (options.TransferCooldown > TimeSpan.Zero)
        {
            var receivedAt = await db.Transfers.Where(t => t.TicketId == ticketId && t.Status == TransferStatus.Accepted && t.RecipientId == sender)
                .MaxAsync(t => t.CompletedAt, cancellationToken);
            if (receivedAt + options.TransferCooldown is { } passable && passable > now)
            {
                throw TicketsProblems.TransferCooldown(passable);
            }
        }

        var since = now - TimeSpan.FromDays(1);
        if (await db.Transfers.CountAsync(t => t.SenderId == sender && t.CreatedAt > since, cancellationToken) >= options.TransferDailyLimit)
        {
            throw TicketsProblems.TransferLimitReached(options.TransferDailyLimit);
        }

        var code = Transfers.NewCode();
        var transfer = new Transfer
        {
            Id = Guid.CreateVersion7(now),
            TicketId = ticketId,
            EventId = ticket.EventId,
            PassId = ticket.PassId,
            SenderId = sender,
            RecipientEmail = request.RecipientEmail.Trim().ToLowerInvariant(),
            Message = string.IsNullOrWhiteSpace(request.Message) ? null : request.Message.Trim(),
            CodeHash = Transfers.Hash(code),
            Status = TransferStatus.Pending,
            CreatedAt = now,
            ExpiresAt = now + options.TransferExpiry,
        };
        db.Transfers.Add(transfer);
        db.Publish(TransferOffered.Topic, new TransferOffered(transfer.Id, ticketId, ticket.EventId, ticket.OrganizerId, sender, transfer.RecipientEmail, transfer.Message,
            code, transfer.ExpiresAt));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/transfers/{transfer.Id}", ToResponse(transfer, sender, now) with { AcceptanceCode = code });
    }

    private static async Task<Ok<TransferResponse>> AcceptTransfer(Guid transferId, AcceptTransferRequest request, Caller caller, [AsParameters] TransferServices services,
        CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var recipient = caller.RequiredUserId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var transfer = await db.Transfers.FromSql($"select * from tickets.transfers where id = {transferId} for update").SingleOrDefaultAsync(cancellationToken);
        if (transfer is null || !Transfers.Matches(transfer, request.AcceptanceCode) || (transfer.RecipientId is { } accepter && accepter != recipient))
        {
            throw TicketsProblems.TransferNotFound();
        }

        if (transfer.Status == TransferStatus.Accepted)
        {
            return TypedResults.Ok(ToResponse(transfer, recipient, now)); // a retry of an acceptance that went through
        }

        if (transfer.SenderId == recipient)
        {
            throw TicketsProblems.OwnTransfer();
        }

        CheckPending(transfer, now);
        var ticket = (await LockTicketAsync(db, transfer.TicketId, cancellationToken))!;
        if (ticket.OwnerId != transfer.SenderId)
        {
            throw TicketsProblems.TicketNotTransferable(ticket.Status);
        }

        // A pass moves whole: every ticket of it the sender still holds for an event to come, each with a new secret version.
        var moving = transfer.PassId is null ? [ticket] : await PassTicketsAsync(db, ticket, now, cancellationToken);
        foreach (var each in moving)
        {
            CheckTransferable(each, await db.Events.AsNoTracking().SingleAsync(e => e.Id == each.EventId, cancellationToken), now);
            TicketLifecycle.Transfer(each, recipient, now); // tickets.changed goes with the save
            db.Publish(TicketTransferred.Topic, new TicketTransferred(transfer.Id, each.Id, each.EventId, each.OrganizerId, transfer.SenderId, recipient, now));
        }

        transfer.Status = TransferStatus.Accepted;
        transfer.RecipientId = recipient;
        transfer.CompletedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(transfer, recipient, now));
    }

    private static async Task<Ok<TransferResponse>> CancelTransfer(Guid transferId, Caller caller, [AsParameters] TransferServices services, CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var sender = caller.RequiredUserId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var transfer = await db.Transfers.FromSql($"select * from tickets.transfers where id = {transferId} for update").SingleOrDefaultAsync(cancellationToken);
        if (transfer is null || transfer.SenderId != sender)
        {
            throw TicketsProblems.TransferNotFound();
        }

        if (transfer.Status == TransferStatus.Cancelled)
        {
            return TypedResults.Ok(ToResponse(transfer, sender, now)); // cancelling twice is cancelling
        }

        CheckPending(transfer, now);
        transfer.Status = TransferStatus.Cancelled;
        transfer.CompletedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(transfer, sender, now));
    }

    private static async Task<Ok<Page<TransferResponse>>> ListMyTransfers([AsParameters] TransferFilter filter, Caller caller, TicketsDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(filter.Limit);
        var me = caller.RequiredUserId;
        var query = filter.Direction switch
        {
            "sent" => db.Transfers.AsNoTracking().Where(t => t.SenderId == me),
            "received" => db.Transfers.AsNoTracking().Where(t => t.RecipientId == me),
            _ => db.Transfers.AsNoTracking().Where(t => t.SenderId == me || t.RecipientId == me),
        };
        if (PageCursor.Decode(filter.Cursor) is var (at, after))
        {
            query = query.Where(t => t.CreatedAt < at || (t.CreatedAt == at && t.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(take + 1).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(PageCursor.Build(rows, take, t => (t.CreatedAt, t.Id), t => ToResponse(t, me, now)));
    }

    /// <summary>The ticket, locked until the transaction ends, so that a gift and anything else that changes it take turns.</summary>
    private static Task<Ticket?> LockTicketAsync(TicketsDbContext db, Guid ticketId, CancellationToken cancellationToken) =>
        db.Tickets.FromSql($"select * from tickets.tickets where id = {ticketId} for update").SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// The tickets of <paramref name="ticket"/>'s pass, bought in its order and still its owner's, of events not yet started
    /// (those are used or past), each locked until the transaction ends, in event order.
    /// </summary>
    private static async Task<List<Ticket>> PassTicketsAsync(TicketsDbContext db, Ticket ticket, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tickets = await db.Tickets.FromSql($"""
            select t.* from tickets.tickets t join tickets.events e on e.id = t.event_id
            where t.pass_id = {ticket.PassId} and t.order_id = {ticket.OrderId} and t.owner_id = {ticket.OwnerId} and (e.starts_at is null or e.starts_at > {now})
            order by t.id for update of t
            """).ToListAsync(cancellationToken);
        return tickets.Count == 0 ? [ticket] : tickets;
    }

    /// <summary>Only an active, unlocked ticket changes hands, and only before its event starts.</summary>
    private static void CheckTransferable(Ticket ticket, Event @event, DateTimeOffset now)
    {
        if (ticket.Status != TicketStatus.Active)
        {
            throw TicketsProblems.TicketNotTransferable(ticket.Status);
        }

        if (ticket.LockReason is not null)
        {
            throw TicketsProblems.TicketLocked(ticket.LockReason);
        }

        if (@event.CancelledAt is not null || @event.StartsAt <= now)
        {
            throw @event.CancelledAt is not null ? TicketsProblems.TicketNotTransferable(TicketStatus.Cancelled) : TicketsProblems.TransferDeadlinePassed();
        }
    }

    private static void CheckPending(Transfer transfer, DateTimeOffset now)
    {
        switch (transfer.StatusAt(now))
        {
            case TransferStatus.Pending:
                return;
            case TransferStatus.Expired:
                throw TicketsProblems.TransferExpired();
            case var status:
                throw TicketsProblems.TransferNotPending(status);
        }
    }

    private static TransferResponse ToResponse(Transfer t, Guid me, DateTimeOffset now) => new(
        t.Id, t.TicketId, t.EventId, t.SenderId == me ? "sent" : "received", Transfers.Name(t.StatusAt(now)), t.RecipientEmail, t.Message,
        t.CreatedAt, t.ExpiresAt, t.CompletedAt, t.PassId);
}
