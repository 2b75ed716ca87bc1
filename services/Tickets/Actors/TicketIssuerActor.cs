using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Actors;

/// <summary>
/// The tickets of one order. Its turns take one call at a time, so an order's lines are issued once; the unique
/// (order, line) of the table keeps that true even if two activations ever raced (a Dapr rebalance). Every change
/// and the event that announces it commit in one transaction (the module's outbox).
/// </summary>
public sealed partial class TicketIssuerActor(ActorHost host, TicketsDbContext db, [FromKeyedServices(TicketsModule.Id)] SecretProtector protector)
    : Actor(host), ITicketIssuerActor
{
    private DateTimeOffset Now => Host.TimeProvider.GetUtcNow();

    private Guid OrderId => Guid.ParseExact(Id.Id, "N");

    public async Task<IssuedTickets> IssueAsync(IssueTickets request)
    {
        Check(request);
        db.ChangeTracker.Clear();
        var existing = await TicketsAsync();
        if (existing.Count > 0 && (existing.Any(t => t.EventId != EventOf(request, t.LineNumber!.Value)) || existing[0].OwnerId != request.OwnerId))
        {
            throw new ArgumentException("The order's tickets were issued for another event or owner.", nameof(request));
        }

        var issued = existing.Select(t => t.LineNumber).ToHashSet();
        var missing = request.Lines.Where(line => !issued.Contains(line.LineNumber)).ToList();
        if (missing.Count == 0)
        {
            return View(existing);
        }

        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var created = missing.Select(line => NewTicket(request, line, now)).ToList();
        // A pass's order spans several events (docs/adr/0023): each event gets its key and its own tickets.issued.
        var events = created.Select(t => t.EventId).Distinct().ToList();
        foreach (var eventId in events)
        {
            await EventKeys.EnsureAsync(db, protector, eventId, now);
        }

        if (request.WillCall)
        {
            // Held for pickup from the first moment, so no code of it ever exists before the box office releases it.
            created.ForEach(ticket => TicketLifecycle.Lock(ticket, TicketLockReasons.WillCall, TicketLocks.WillCallLockId(ticket.Id), now));
        }

        db.Tickets.AddRange(created);
        foreach (var eventId in events)
        {
            var ofEvent = created.Where(t => t.EventId == eventId).ToList();
            var cancelledAt = await db.Events.Where(e => e.Id == eventId).Select(e => e.CancelledAt).SingleAsync();
            if (cancelledAt is not null)
            {
                // The event was called off before the order got its tickets: they exist, for the record, but admit nobody.
                ofEvent.ForEach(ticket => TicketLifecycle.Change(ticket, TicketStatus.Cancelled, now, "event_cancelled"));
            }
            else
            {
                db.Publish(TicketsIssued.Topic, new TicketsIssued(request.OrderId, request.OrderNumber, eventId, request.OrganizerId, request.OwnerId,
                    [.. ofEvent.Select(t => new TicketDetails(t.Id, t.LineNumber!.Value, t.TicketTypeId, t.TicketTypeName, t.SeatId, t.Section, t.SeatRow,
                        t.SeatNumber, t.PriceZone, t.FaceValue, t.Currency))], now));
            }
        }

        try
        {
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "tickets_order_line" })
        {
            // Another activation issued these lines first: what it made is the answer.
            await transaction.RollbackAsync();
            db.ChangeTracker.Clear();
            return View(await TicketsAsync());
        }

        return View([.. existing, .. created]);
    }

    public async Task<IssuedTickets> ActivateAsync(ActivateTickets request)
    {
        CheckOrder(request.OrderId);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var tickets = await TicketsAsync(tracked: true);
            var now = Now;
            foreach (var ticket in tickets.Where(t => t.Status == TicketStatus.Issued))
            {
                TicketLifecycle.Change(ticket, TicketStatus.Active, now, "order_confirmed");
            }

            try
            {
                await db.SaveChangesAsync();
                return View(tickets);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // The expiry sweep changed a ticket between this read and this write (an order confirmed as its
                // event ends): read again and activate what is still issued.
            }
        }
    }

    public async Task<IssuedTickets> RevokeAsync(RevokeTickets request)
    {
        CheckOrder(request.OrderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Reason);
        db.ChangeTracker.Clear();
        var tickets = await TicketsAsync(tracked: true);
        var to = request.Reason == RevokeTickets.Refunded ? TicketStatus.Refunded : TicketStatus.Revoked;
        var now = Now;
        // Tickets already revoked (or transferred, expired, ...) stay as they are: repeating the request changes nothing.
        var changed = tickets.Where(t => (request.LineNumbers is null || request.LineNumbers.Contains(t.LineNumber!.Value)) && TicketLifecycle.CanChange(t.Status, to)).ToList();
        if (changed.Count == 0)
        {
            return View(tickets);
        }

        changed.ForEach(ticket => TicketLifecycle.Change(ticket, to, now, request.Reason));
        foreach (var ofEvent in changed.GroupBy(t => t.EventId))
        {
            db.Publish(TicketsRevoked.Topic, new TicketsRevoked(request.OrderId, ofEvent.Key, ofEvent.First().OwnerId, request.Reason, [.. ofEvent.Select(ToIssued)], now));
        }

        await db.SaveChangesAsync();
        return View(tickets);
    }

    public async Task<IssuedTickets> GetAsync()
    {
        db.ChangeTracker.Clear();
        return View(await TicketsAsync());
    }

    private async Task<List<Ticket>> TicketsAsync(bool tracked = false)
    {
        var orderId = OrderId;
        var query = db.Tickets.Where(t => t.OrderId == orderId);
        return await (tracked ? query : query.AsNoTracking()).OrderBy(t => t.LineNumber).ToListAsync();
    }

    private static Ticket NewTicket(IssueTickets request, TicketLine line, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        OrderId = request.OrderId,
        OrderNumber = request.OrderNumber,
        LineNumber = line.LineNumber,
        EventId = line.EventId ?? request.EventId,
        PassId = line.PassId,
        PassName = line.PassName,
        OrganizerId = request.OrganizerId,
        OwnerId = request.OwnerId,
        TicketTypeId = line.TicketTypeId,
        TicketTypeName = line.TicketTypeName,
        SeatId = line.SeatId,
        Section = line.Section,
        SeatRow = line.Row,
        SeatNumber = line.SeatNumber,
        PriceZone = line.PriceZone,
        FaceValue = line.FaceValue,
        Currency = line.Currency,
        IssuedAt = now,
        StatusChangedAt = now,
        ChangedAt = now,
    };

    /// <summary>A request this actor must never act on is a bug of the caller: it fails the call and changes nothing.</summary>
    private void Check(IssueTickets request)
    {
        CheckOrder(request.OrderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.OrderNumber);
        if (request.Lines is not { Count: > 0 } lines || lines.Select(l => l.LineNumber).Distinct().Count() != lines.Count)
        {
            throw new ArgumentException("An order issues at least one line, each line number once.", nameof(request));
        }

        if (lines.FirstOrDefault(l => l.LineNumber < 1 || l.FaceValue < 0 || string.IsNullOrWhiteSpace(l.TicketTypeName) || !Currency().IsMatch(l.Currency ?? "")) is { } bad)
        {
            throw new ArgumentException($"Line {bad.LineNumber}: line numbers start at 1, face values are not negative, a ticket type has a name, a currency is ISO 4217.", nameof(request));
        }
    }

    private void CheckOrder(Guid orderId)
    {
        if (orderId != OrderId)
        {
            throw new ArgumentException($"This actor issues the tickets of order {OrderId}, not {orderId}.", nameof(orderId));
        }
    }

    private static Guid EventOf(IssueTickets request, int lineNumber) =>
        request.Lines.FirstOrDefault(l => l.LineNumber == lineNumber)?.EventId ?? request.EventId;

    private IssuedTickets View(IEnumerable<Ticket> tickets) => new(OrderId, [.. tickets.OrderBy(t => t.LineNumber).Select(ToIssued)]);

    private static IssuedTicket ToIssued(Ticket ticket) => new(ticket.Id, ticket.LineNumber!.Value, ticket.SeatId, TicketLifecycle.Name(ticket.Status));

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Currency();
}
