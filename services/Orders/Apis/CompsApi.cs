using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Apis;

/// <summary>
/// Comps: an organizer's admins give free tickets to named guests (press, artists, staff). A comp request is one
/// order of kind <c>comp</c>, one line per guest, held all or nothing against the event's capacity and completed by the
/// purchase saga without a payment. Its tickets belong to the admin who issued them (guests need no account; the admin
/// hands them on, e.g. as a gift to the guest's e-mail) and admit at the gate like any ticket.
/// </summary>
public static class CompsApi
{
    public static void MapCompsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/orders/organizers/{organizerId:guid}/events/{eventId:guid}").WithTags("Comps and guest lists")
            .RequireAuthorization(Policies.OrganizerAdmin).Problems(OrdersProblems.OrganizerNotFound, OrdersProblems.EventNotFound);
        events.MapPost("/comps", IssueComps).WithName("IssueComps")
            .WithSummary("Issues free tickets to named guests, from JSON or a CSV guest list (header name,email,reason,ticket_type,seat); errors name their line and nothing is issued.")
            .Accepts<CompsRequest>("application/json", "text/csv")
            .Problems(() => OrdersProblems.IdempotencyKeyRequired("a guest list"), () => OrdersProblems.InvalidGuestList([]), OrdersProblems.EventNotOnSale,
                () => OrdersProblems.CompsNotAvailable(HoldFailures.InvalidRequest, null), () => OrdersProblems.CompsNotAvailable(HoldFailures.UnknownSeat, null),
                () => OrdersProblems.CompsNotAvailable(HoldFailures.SeatUnavailable, null), () => OrdersProblems.CompsNotAvailable(HoldFailures.NotEnoughSeats, null),
                () => OrdersProblems.CompsNotAvailable(HoldFailures.SoldOut, null))
            .WithJsonRequestExamples(new RequestExample("guests", "Two press guests on best-available premium seats and one artist's guest on a named seat",
                """{ "guests": [ { "name": "Ada Press", "email": "ada@example.com", "reason": "press", "ticketType": "Premium" }, { "name": "Ben Press", "reason": "press", "ticketType": "Premium" }, { "name": "Cleo Guest", "reason": "artist", "ticketType": "Standard", "seat": "STALLS-B-1" } ] }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per guest list (a UUID), sent again unchanged when retrying it, so that a retry never issues twice.");
        events.MapGet("/guest-list", GuestListOf).WithName("GetGuestList")
            .WithSummary("The event's comps, one row per guest with the order, ticket type, seat and status; format=json (default) or csv.")
            .Produces<IReadOnlyList<GuestListRow>>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv")
            .Problems(OrdersProblems.EventNotFound, OrdersProblems.OrganizerNotFound);
    }

    /// <summary>The documented shape of the JSON body; the handler reads the body itself to report errors by line.</summary>
    public sealed record CompsRequest(IReadOnlyList<CompGuest> Guests);

    /// <summary><see cref="TicketType"/>: the ticket type's id or name; <see cref="Seat"/>: a seat id of a reserved type, or none for the best available.</summary>
    public sealed record CompGuest(string Name, string? Email, string Reason, string TicketType, string? Seat);

    public sealed record GuestListQuery([property: System.ComponentModel.DataAnnotations.RegularExpression("^(json|csv)$")] string? Format);

    public sealed record GuestListRow(string OrderNumber, Guid OrderId, OrderStatus OrderStatus, int Line, string GuestName, string? GuestEmail, string Reason,
        string TicketType, string? SeatId, bool Refunded, DateTimeOffset IssuedAt);

    private static async Task<Accepted<OrderResponse>> IssueComps(Guid organizerId, Guid eventId, HttpRequest request, Caller caller,
        OrdersDbContext db, IActorProxyFactory actors, [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, IOptions<OrdersOptions> options,
        TimeProvider time, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        OrdersProblems.RequireIdempotencyKey(idempotencyKey, "a guest list");
        var saleEvent = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken)
            ?? throw OrdersProblems.EventNotFound();
        var admin = caller.RequiredUserId;
        var orderId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"comp/{admin:N}/{eventId:N}/{idempotencyKey}")).AsSpan(0, 16));
        if (await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, cancellationToken) is { } repeated)
        {
            return await AcceptedAsync(db, workflows, repeated, cancellationToken);
        }

        if (saleEvent.Cancelled)
        {
            throw OrdersProblems.EventNotOnSale();
        }

        string text;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(cancellationToken);
        }

        var errors = new List<GuestListError>();
        var csv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
        var entries = csv ? GuestList.ParseCsv(text, errors) : GuestList.ParseJson(text, errors);
        var types = await db.TicketPrices.AsNoTracking().Where(p => p.EventId == eventId).ToListAsync(cancellationToken);
        var guests = GuestList.Check(entries, types, errors);
        if (errors.Count > 0)
        {
            throw OrdersProblems.InvalidGuestList(errors);
        }

        // One hold for the whole list: every guest gets a place, or none does.
        var holdId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"comp-hold/{orderId:N}")).AsSpan(0, 16));
        var best = guests.Where(g => g.Type.Kind == PublishedTicketType.Reserved && g.Seat is null).ToList();
        var held = await actors.BuyerOf(eventId, admin).CreateHoldAsync(new CreateHold(holdId, eventId, admin,
            [.. guests.Where(g => g.Seat is not null).Select(g => g.Seat!)],
            best.Count > 0 ? new BestAvailable(best.Count, null, best[0].Type.PriceZone) : null,
            [.. guests.Where(g => g.Type.Kind != PublishedTicketType.Reserved).GroupBy(g => g.Type.TicketTypeId).Select(g => new GeneralAdmissionQuantity(g.Key, g.Count()))],
            Complimentary: true));
        var hold = held.Hold ?? throw OrdersProblems.CompsNotAvailable(held.Failure ?? HoldFailures.InvalidRequest, held.Detail);

        var now = time.GetUtcNow();
        var order = new Order
        {
            Id = orderId, Number = OrderNumbers.New(), BuyerId = admin, OrganizerId = organizerId, EventId = eventId, HoldId = holdId,
            IdempotencyKey = "comp:" + idempotencyKey, Status = OrderStatus.PendingPayment, Kind = OrderKinds.Comp, Currency = saleEvent.Currency,
            PayBy = hold.ExpiresAt - options.Value.PaymentMargin, CreatedAt = now, UpdatedAt = now,
        };
        var bestSeats = new Queue<HeldSeat>(hold.Seats.Where(s => guests.All(g => g.Seat != s.Id)).OrderBy(s => s.Id, StringComparer.Ordinal));
        var number = 0;
        foreach (var guest in guests)
        {
            var seat = guest.Type.Kind != PublishedTicketType.Reserved ? null
                : guest.Seat is { } named ? hold.Seats.Single(s => s.Id == named) : bestSeats.Dequeue();
            order.Lines.Add(new OrderLine
            {
                OrderId = orderId, LineNumber = ++number, TicketTypeId = guest.Type.TicketTypeId, TicketTypeName = guest.Type.Name,
                SeatId = seat?.Id, Section = seat?.Section, RowLabel = seat?.Row, SeatNumber = seat?.Number, PriceZone = seat?.PriceZone ?? guest.Type.PriceZone,
                GuestName = guest.Name, GuestEmail = guest.Email, CompReason = guest.Reason,
            });
        }

        db.Orders.Add(order);
        db.Publish(OrderPlaced.Topic, new OrderPlaced(order.Id, order.Number, admin, eventId, 0, order.Currency, order.PayBy, now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, cancellationToken); // a racing retry made it
        }

        return await AcceptedAsync(db, workflows, order, cancellationToken);
    }

    private static async Task<IResult> GuestListOf(Guid organizerId, Guid eventId, [AsParameters] GuestListQuery query, Caller caller, OrdersDbContext db,
        CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        if (!await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken))
        {
            throw OrdersProblems.EventNotFound();
        }

        var rows = await db.Orders.AsNoTracking().Where(o => o.EventId == eventId && o.Kind == OrderKinds.Comp)
            .SelectMany(o => o.Lines, (o, l) => new GuestListRow(o.Number, o.Id, o.Status, l.LineNumber, l.GuestName!, l.GuestEmail, l.CompReason!, l.TicketTypeName, l.SeatId,
                l.Refunded, o.CreatedAt))
            .ToListAsync(cancellationToken);
        rows = [.. rows.OrderBy(r => r.GuestName, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.OrderNumber, StringComparer.Ordinal).ThenBy(r => r.Line)];
        if (query.Format != "csv")
        {
            return TypedResults.Ok<IReadOnlyList<GuestListRow>>(rows);
        }

        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var writer = CsvWriter.Create(text))
        {
            writer.WriteHeader(["guest_name", "guest_email", "reason", "ticket_type", "seat", "order_number", "line", "order_status", "refunded", "issued_at"]);
            foreach (var r in rows)
            {
                writer.WriteRecord([r.GuestName, r.GuestEmail ?? "", r.Reason, r.TicketType, r.SeatId ?? "", r.OrderNumber,
                    r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), r.OrderStatus.StoredName(), r.Refunded ? "true" : "false", r.IssuedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture)]);
            }
        }

        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", $"guest-list-{eventId:N}.csv");
    }

    private static async Task<Accepted<OrderResponse>> AcceptedAsync(OrdersDbContext db, IWorkflowClient workflows, Order order, CancellationToken cancellationToken)
    {
        await workflows.ScheduleNewWorkflowAsync(PurchaseWorkflow.Name, order.Id.ToString("N"), new PurchaseInput(order.Id, order.PayBy.UtcDateTime, Free: true), cancellationToken);
        return TypedResults.Accepted($"/api/orders/organizers/{order.OrganizerId}/events/{order.EventId}/guest-list", await OrdersApi.ResponseAsync(db, workflows, order, cancellationToken));
    }
}
