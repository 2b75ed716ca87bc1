using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Apis;

/// <summary>
/// The box office (ADR 0021): an organizer's box-office staff (and admins) sell at the door or take phone orders, paid in
/// cash or on the organizer's own card terminal, look orders up, and release will-call orders after an ID check. A
/// counter sale is an order of kind <c>box_office</c> held through inventory like any sale and completed by the purchase
/// saga without a payment intent; its tickets belong to the clerk who sold them (printed from the ticket PDF route, or
/// mailed to the address given at the counter). Every action is written to <c>orders.box_office_audit</c> in the
/// transaction of what it records; the organizer's admins read it.
/// </summary>
public static class BoxOfficeApi
{
    private const int MaximumPlaces = 50;

    public static void MapBoxOfficeApi(this IEndpointRouteBuilder app)
    {
        var office = app.MapGroup("/api/orders/organizers/{organizerId:guid}/box-office").WithTags("Box office");
        office.MapPost("/events/{eventId:guid}/sales", Sell).WithName("SellAtBoxOffice").RequireAuthorization(Policies.BoxOffice)
            .WithSummary("Sells seats (named, or the best available) or general-admission places at the counter or by phone, paid in cash or on the organizer's card terminal; optionally held for pickup (will-call) or mailed to the buyer.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(
                new RequestExample("cash", "Two standing places paid in cash at the door",
                    """{ "generalAdmission": [ { "ticketTypeId": "0197a3c7-0000-7000-8000-000000000003", "quantity": 2 } ], "payment": { "method": "cash" } }"""),
                new RequestExample("phone", "Two best-available premium seats sold by phone on the card terminal, held for pickup",
                    """{ "bestAvailable": { "quantity": 2, "priceZone": "PREMIUM" }, "payment": { "method": "card_present", "terminalReference": "T1-000482" }, "channel": "phone", "buyer": { "name": "Ada Lovelace", "email": "ada@example.com" }, "willCall": true }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per sale (a UUID), sent again unchanged when retrying it, so that a retry never sells twice.")
            .Problems(() => OrdersProblems.CounterSaleNotAvailable("a b", "a b"), OrdersProblems.EventNotFound, OrdersProblems.EventNotOnSale, () => OrdersProblems.IdempotencyKeyRequired("a b"), () => OrdersProblems.InvalidCounterSale("a b"), OrdersProblems.OrganizerNotFound);
        office.MapGet("/orders", FindOrders).WithName("FindBoxOfficeOrders").RequireAuthorization(Policies.BoxOffice)
            .WithSummary("Looks up the organizer's orders by order number, buyer name (part of it) or e-mail, newest first (cursor pagination; filter by eventId).")
            .Problems(OrdersProblems.NotWillCall, OrdersProblems.OrderNotFound, OrdersProblems.OrganizerNotFound, () => OrdersProblems.WillCallNotReady(OrderStatus.Confirmed), PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        office.MapGet("/orders/{orderId:guid}", GetOrder).WithName("GetBoxOfficeOrder").RequireAuthorization(Policies.BoxOffice)
            .WithSummary("One order of the organizer as the box office sees it: amounts and lines, how it was paid, will-call and its release, and its tickets.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Problems(OrdersProblems.OrderNotFound, OrdersProblems.OrganizerNotFound);
        office.MapPost("/orders/{orderId:guid}/will-call/release", ReleaseWillCall).WithName("ReleaseWillCall").RequireAuthorization(Policies.BoxOffice)
            .WithSummary("Releases a will-call order's tickets to their holder after an ID check (document type and at most the last four characters of its number are recorded): they get their codes and admit.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithJsonRequestExamples(new RequestExample("passport", "The buyer showed a passport", """{ "documentType": "passport", "documentLast4": "4821", "collectedBy": "Ada Lovelace" }"""))
            .Problems(OrdersProblems.NotWillCall, OrdersProblems.OrderNotFound, OrdersProblems.OrganizerNotFound, () => OrdersProblems.WillCallNotReady(OrderStatus.Confirmed));
        office.MapGet("/audit", AuditOf).WithName("GetBoxOfficeAudit").RequireAuthorization(Policies.OrganizerAdmin)
            .WithSummary("Every box-office action of the organizer, newest first: sales, phone orders, will-call releases and lookups, by whom and when (cursor pagination; filter by eventId).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Problems(OrdersProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);
    }

    public sealed record BestAvailableRequest([property: Range(1, MaximumPlaces)] int Quantity, [property: StringLength(64)] string? PriceZone, [property: StringLength(64)] string? Section);

    public sealed record GeneralAdmissionRequest([property: Required] Guid? TicketTypeId, [property: Range(1, MaximumPlaces)] int Quantity);

    public sealed record CounterPaymentRequest([property: Required, AllowedValues("cash", "card_present")] string? Method, [property: StringLength(100, MinimumLength = 1)] string? TerminalReference);

    public sealed record CounterBuyerRequest([property: StringLength(200, MinimumLength = 1)] string? Name, [property: EmailAddress, StringLength(254)] string? Email);

    /// <summary>
    /// Places: <see cref="Seats"/> by id, <see cref="BestAvailable"/> seats of a zone, and <see cref="GeneralAdmission"/> places, in any mix.
    /// <see cref="Channel"/>: counter (default) or phone; a phone order, a will-call order and mailed tickets need the buyer's name, mailed tickets their e-mail.
    /// </summary>
    public sealed record CounterSaleRequest(
        [property: MaxLength(MaximumPlaces)] IReadOnlyList<string>? Seats,
        BestAvailableRequest? BestAvailable,
        [property: MaxLength(20)] IReadOnlyList<GeneralAdmissionRequest>? GeneralAdmission,
        [property: Required] CounterPaymentRequest? Payment,
        [property: AllowedValues(null, "counter", "phone")] string? Channel,
        CounterBuyerRequest? Buyer,
        bool? WillCall,
        bool? MailTickets);

    public sealed record ReleaseRequest(
        [property: Required, AllowedValues("passport", "id_card", "driving_licence", "other")] string? DocumentType,
        [property: RegularExpression("^[A-Za-z0-9]{1,4}$")] string? DocumentLast4,
        [property: Required, StringLength(200, MinimumLength = 1)] string? CollectedBy);

    public sealed record LookupQuery([property: StringLength(200)] string? Q, Guid? EventId, [property: StringLength(64)] string? Cursor, int? Limit);

    public sealed record AuditQuery(Guid? EventId, [property: StringLength(64)] string? Cursor, int? Limit);

    public sealed record CounterSaleView(string Kind, string? Channel, string? PaymentMethod, string? TerminalReference, string? BuyerName, string? BuyerEmail, bool MailTickets);

    public sealed record WillCallView(bool Held, DateTimeOffset? ReleasedAt, Guid? ReleasedBy, string? DocumentType, string? DocumentLast4, string? CollectedBy);

    /// <summary><see cref="PdfPath"/>: the printable ticket, for the clerk who owns it (the one who sold it); null while it has no code.</summary>
    public sealed record CounterTicketView(Guid TicketId, int LineNumber, string? SeatId, string Status, string? PdfPath);

    public sealed record BoxOfficeOrderResponse(OrderResponse Order, CounterSaleView Sale, WillCallView WillCall, IReadOnlyList<CounterTicketView> Tickets);

    public sealed record BoxOfficeOrderSummary(Guid Id, string Number, Guid EventId, string Kind, OrderStatus Status, string? BuyerName, string? BuyerEmail, bool WillCall,
        bool Released, long Total, string Currency, DateTimeOffset CreatedAt);

    public sealed record AuditEntryResponse(Guid Id, string Action, Guid ActorId, Guid? EventId, Guid? OrderId, JsonElement Details, DateTimeOffset At);

    private static async Task<Accepted<BoxOfficeOrderResponse>> Sell(Guid organizerId, Guid eventId, CounterSaleRequest request, Caller caller, OrdersDbContext db,
        IActorProxyFactory actors, [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, IOptions<OrdersOptions> options, TimeProvider time,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (!caller.WorksFor(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        OrdersProblems.RequireIdempotencyKey(idempotencyKey, "a box-office sale");
        var saleEvent = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken)
            ?? throw OrdersProblems.EventNotFound();
        var clerk = caller.RequiredUserId;
        var orderId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"box-office/{clerk:N}/{eventId:N}/{idempotencyKey}")).AsSpan(0, 16));
        if (await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, cancellationToken) is { } repeated)
        {
            return await AcceptedAsync(db, actors, workflows, repeated, caller, cancellationToken);
        }

        // Everything the request says is checked before the hold: a refused sale leaves nothing held.
        var sale = CounterSale.Check(request);
        if (saleEvent.Cancelled)
        {
            throw OrdersProblems.EventNotOnSale();
        }

        var prices = await db.TicketPrices.AsNoTracking().Where(p => p.EventId == eventId).ToListAsync(cancellationToken);
        if (sale.GeneralAdmission.Where(g => !prices.Any(p => p.TicketTypeId == g.TicketTypeId && p.Kind == Contracts.Catalog.PublishedTicketType.GeneralAdmission))
                .Select(g => (Guid?)g.TicketTypeId).FirstOrDefault() is { } unknown)
        {
            throw OrdersProblems.InvalidCounterSale($"Ticket type {unknown} is not a general-admission type of this event.");
        }

        var holdId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"box-office-hold/{orderId:N}")).AsSpan(0, 16));
        var held = await actors.BuyerOf(eventId, clerk).CreateHoldAsync(new CreateHold(holdId, eventId, clerk, sale.Seats,
            sale.Best is { } best ? new BestAvailable(best.Quantity, best.Section, best.PriceZone) : null,
            [.. sale.GeneralAdmission.Select(g => new GeneralAdmissionQuantity(g.TicketTypeId, g.Quantity))],
            Complimentary: true));
        var hold = held.Hold ?? throw OrdersProblems.CounterSaleNotAvailable(held.Failure ?? HoldFailures.InvalidRequest, held.Detail);

        var lines = await OrdersApi.LinesAsync(db, saleEvent, hold, cancellationToken);
        // At the counter the organizer sells at face value: no platform fees, no processor (ADR 0021); tax as online.
        var priced = Pricing.Price([.. lines.Select(l => l.FaceValue)], new Fees(0, 0, 0, 0), null, SaleTerms.TaxRateOf(saleEvent, options.Value));
        var now = time.GetUtcNow();
        var order = new Order
        {
            Id = orderId, Number = OrderNumbers.New(), BuyerId = clerk, OrganizerId = organizerId, EventId = eventId, HoldId = holdId,
            IdempotencyKey = "box-office:" + idempotencyKey, Status = OrderStatus.PendingPayment, Kind = OrderKinds.BoxOffice, Currency = saleEvent.Currency,
            FaceValue = priced.FaceValue, Discount = priced.Discount, Fees = priced.Fees, Tax = priced.Tax, Total = priced.Total,
            PaymentMethod = sale.PaymentMethod, TerminalReference = sale.TerminalReference, Channel = sale.Channel, BuyerName = sale.BuyerName, BuyerEmail = sale.BuyerEmail,
            MailTickets = sale.MailTickets, WillCall = sale.WillCall, PayBy = hold.ExpiresAt - options.Value.PaymentMargin, CreatedAt = now, UpdatedAt = now,
        };
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            line.OrderId = orderId;
            line.LineNumber = i + 1;
            (line.Discount, line.Fees, line.Tax) = (priced.Lines[i].Discount, priced.Lines[i].Fees, priced.Lines[i].Tax);
            order.Lines.Add(line);
        }

        db.Orders.Add(order);
        db.BoxOfficeAudit.Add(AuditEntry(organizerId, eventId, orderId, clerk, sale.Channel == CounterSale.Phone ? BoxOfficeActions.PhoneOrder : BoxOfficeActions.Sale, now, new
        {
            orderNumber = order.Number, paymentMethod = sale.PaymentMethod, terminalReference = sale.TerminalReference, total = order.Total, currency = order.Currency,
            tickets = lines.Count, willCall = sale.WillCall, buyerName = sale.BuyerName, buyerEmail = sale.BuyerEmail, mailTickets = sale.MailTickets,
        }));
        db.Publish(OrderPlaced.Topic, new OrderPlaced(order.Id, order.Number, clerk, eventId, order.Total, order.Currency, order.PayBy, now, sale.PaymentMethod));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, cancellationToken); // a racing retry made it
        }

        return await AcceptedAsync(db, actors, workflows, order, caller, cancellationToken);
    }

    private static async Task<Ok<Page<BoxOfficeOrderSummary>>> FindOrders(Guid organizerId, [AsParameters] LookupQuery query, Caller caller, OrdersDbContext db,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (!caller.WorksFor(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        var orders = db.Orders.AsNoTracking().Where(o => o.OrganizerId == organizerId);
        if (query.EventId is { } eventId)
        {
            orders = orders.Where(o => o.EventId == eventId);
        }

        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            var term = query.Q.Trim();
            var number = term.ToUpperInvariant();
            var email = term.ToLowerInvariant();
            var name = "%" + term.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
            orders = orders.Where(o => o.Number == number || o.BuyerEmail == email || (o.BuyerName != null && EF.Functions.ILike(o.BuyerName, name, @"\")));
        }

        var limit = PageCursor.Limit(query.Limit);
        if (PageCursor.Decode(query.Cursor) is { } after)
        {
            orders = orders.Where(o => o.CreatedAt < after.At || (o.CreatedAt == after.At && o.Id.CompareTo(after.Id) < 0));
        }

        var rows = await orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(limit + 1)
            .Select(o => new { Order = o, Released = db.WillCallReleases.Any(r => r.OrderId == o.Id) })
            .ToListAsync(cancellationToken);
        var page = PageCursor.Build(rows, limit, r => (r.Order.CreatedAt, r.Order.Id), r => new BoxOfficeOrderSummary(r.Order.Id, r.Order.Number, r.Order.EventId,
            r.Order.Kind, r.Order.Status, r.Order.BuyerName, r.Order.BuyerEmail, r.Order.WillCall, r.Released, r.Order.Total, r.Order.Currency, r.Order.CreatedAt));
        db.BoxOfficeAudit.Add(AuditEntry(organizerId, query.EventId, null, caller.RequiredUserId, BoxOfficeActions.Lookup, time.GetUtcNow(),
            new { q = query.Q, eventId = query.EventId, found = page.Items.Count }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(page);
    }

    private static async Task<Ok<BoxOfficeOrderResponse>> GetOrder(Guid organizerId, Guid orderId, Caller caller, OrdersDbContext db, IActorProxyFactory actors,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await ResponseAsync(db, actors, await OrderOfAsync(organizerId, orderId, caller, db, cancellationToken), caller, cancellationToken));

    /// <summary>
    /// The ID check and the release commit together with their audit entry; then each ticket's will-call lock is lifted
    /// (idempotent per ticket, the lock id derived from it), so a retry after a crash in between finishes the release.
    /// </summary>
    private static async Task<Ok<BoxOfficeOrderResponse>> ReleaseWillCall(Guid organizerId, Guid orderId, ReleaseRequest request, Caller caller, OrdersDbContext db,
        IActorProxyFactory actors, TimeProvider time, CancellationToken cancellationToken)
    {
        var order = await OrderOfAsync(organizerId, orderId, caller, db, cancellationToken);
        if (!order.WillCall)
        {
            throw OrdersProblems.NotWillCall();
        }

        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.PartiallyRefunded))
        {
            throw OrdersProblems.WillCallNotReady(order.Status);
        }

        if (!await db.WillCallReleases.AnyAsync(r => r.OrderId == orderId, cancellationToken))
        {
            var now = time.GetUtcNow();
            db.WillCallReleases.Add(new WillCallRelease
            {
                OrderId = orderId, ReleasedBy = caller.RequiredUserId, ReleasedAt = now, DocumentType = request.DocumentType!, DocumentLast4 = request.DocumentLast4,
                CollectedBy = request.CollectedBy!.Trim(),
            });
            db.BoxOfficeAudit.Add(AuditEntry(organizerId, order.EventId, orderId, caller.RequiredUserId, BoxOfficeActions.WillCallRelease, now, new
            {
                orderNumber = order.Number, documentType = request.DocumentType, documentLast4 = request.DocumentLast4, collectedBy = request.CollectedBy!.Trim(),
            }));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                db.ChangeTracker.Clear(); // a concurrent release of the same order recorded its check first
            }
        }

        var issued = await actors.TicketsOf(orderId).GetAsync();
        foreach (var ticket in issued.Tickets)
        {
            await actors.CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticket.TicketId), TicketLocks.TypeName)
                .UnlockAsync(new UnlockTicket(ticket.TicketId, TicketLocks.WillCallLockId(ticket.TicketId)));
        }

        return TypedResults.Ok(await ResponseAsync(db, actors, order, caller, cancellationToken));
    }

    private static async Task<Ok<Page<AuditEntryResponse>>> AuditOf(Guid organizerId, [AsParameters] AuditQuery query, Caller caller, OrdersDbContext db,
        CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        var entries = db.BoxOfficeAudit.AsNoTracking().Where(a => a.OrganizerId == organizerId);
        if (query.EventId is { } eventId)
        {
            entries = entries.Where(a => a.EventId == eventId);
        }

        var limit = PageCursor.Limit(query.Limit);
        if (PageCursor.Decode(query.Cursor) is { } after)
        {
            entries = entries.Where(a => a.At < after.At || (a.At == after.At && a.Id.CompareTo(after.Id) < 0));
        }

        var rows = await entries.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, limit, a => (a.At, a.Id),
            a => new AuditEntryResponse(a.Id, a.Action, a.ActorId, a.EventId, a.OrderId, JsonDocument.Parse(a.Details).RootElement.Clone(), a.At)));
    }

    private static async Task<Order> OrderOfAsync(Guid organizerId, Guid orderId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        if (!caller.WorksFor(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        return await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId && o.OrganizerId == organizerId, cancellationToken)
            ?? throw OrdersProblems.OrderNotFound();
    }

    private static async Task<Accepted<BoxOfficeOrderResponse>> AcceptedAsync(OrdersDbContext db, IActorProxyFactory actors, IWorkflowClient workflows, Order order,
        Caller caller, CancellationToken cancellationToken)
    {
        // Paid at the counter: the purchase commits the seats, issues and confirms without a payment intent.
        await workflows.ScheduleNewWorkflowAsync(PurchaseWorkflow.Name, order.Id.ToString("N"), new PurchaseInput(order.Id, order.PayBy.UtcDateTime, Free: true), cancellationToken);
        return TypedResults.Accepted($"/api/orders/organizers/{order.OrganizerId}/box-office/orders/{order.Id}",
            await ResponseAsync(db, actors, order, caller, cancellationToken));
    }

    private static async Task<BoxOfficeOrderResponse> ResponseAsync(OrdersDbContext db, IActorProxyFactory actors, Order order, Caller caller, CancellationToken cancellationToken)
    {
        var saleEvent = await db.Events.AsNoTracking().SingleAsync(e => e.Id == order.EventId, cancellationToken);
        var release = await db.WillCallReleases.AsNoTracking().SingleOrDefaultAsync(r => r.OrderId == order.Id, cancellationToken);
        IReadOnlyList<CounterTicketView> tickets = [];
        if (order.Status is OrderStatus.Confirmed or OrderStatus.PartiallyRefunded or OrderStatus.Refunded)
        {
            var issued = await actors.TicketsOf(order.Id).GetAsync();
            var printable = order.BuyerId == caller.UserId && (!order.WillCall || release is not null);
            tickets = [.. issued.Tickets.Select(t => new CounterTicketView(t.TicketId, t.LineNumber, t.SeatId, t.Status,
                printable && t.Status == TicketStatuses.Active ? $"/api/tickets/{t.TicketId}/pdf" : null))];
        }

        return new BoxOfficeOrderResponse(OrderViews.Response(order, saleEvent, null),
            new CounterSaleView(order.Kind, order.Channel, order.PaymentMethod, order.TerminalReference, order.BuyerName, order.BuyerEmail, order.MailTickets),
            new WillCallView(order.WillCall, release?.ReleasedAt, release?.ReleasedBy, release?.DocumentType, release?.DocumentLast4, release?.CollectedBy),
            tickets);
    }

    private static BoxOfficeAuditEntry AuditEntry(Guid organizerId, Guid? eventId, Guid? orderId, Guid actor, string action, DateTimeOffset at, object details) => new()
    {
        Id = Guid.CreateVersion7(at), OrganizerId = organizerId, EventId = eventId, OrderId = orderId, ActorId = actor, Action = action, At = at,
        Details = JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
    };
}
