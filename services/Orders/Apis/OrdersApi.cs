using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Apis;

/// <summary>A fan's orders: checking out a hold, following the payment, history, cancelling before paying, the receipt.</summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders").WithTags("Orders").RequireAuthorization(Policies.Fan);
        group.MapPost("/", Checkout).WithName("Checkout")
            .WithSummary("Checks out one of the caller's holds: prices it and starts the purchase. Needs an Idempotency-Key; poll the order for the payment's client secret and the outcome.")
            .WithJsonRequestExamples(new RequestExample("checkout", "Check out a hold with a promo code",
                """{ "eventId": "0197a3c7-0000-7000-8000-000000000001", "holdId": "0197a3c7-0000-7000-8000-000000000002", "promoCode": "EARLYBIRD" }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per checkout (a UUID), sent again unchanged when retrying it, so that a retry never buys twice.")
            .Problems(OrdersProblems.EventNotFound, OrdersProblems.EventNotOnSale, OrdersProblems.HoldAlreadyCheckedOut, OrdersProblems.HoldNotActive, OrdersProblems.HoldNotFound, () => OrdersProblems.IdempotencyKeyRequired("a b"), OrdersProblems.IdempotencyKeyReused, () => OrdersProblems.InvalidPromoCode("a b"), OrdersProblems.OrderNotFound, OrdersProblems.PromoCodeExhausted, OrdersProblems.PromoCodeNotFound);
        group.MapPost("/passes", PassCheckout.CheckoutPass).WithName("CheckoutPass")
            .WithSummary("Checks out one of the caller's pass holds: one order over every event of the pass at the pass's price, paid once. Needs an Idempotency-Key.")
            .WithJsonRequestExamples(new RequestExample("pass", "Check out a pass hold",
                """{ "passId": "0197a3c7-0000-7000-8000-000000000003", "passHoldId": "0197a3c7-0000-7000-8000-000000000004" }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per checkout (a UUID), sent again unchanged when retrying it, so that a retry never buys twice.")
            .Problems(OrdersProblems.EventNotOnSale, OrdersProblems.HoldAlreadyCheckedOut, OrdersProblems.HoldNotActive, OrdersProblems.HoldNotFound, () => OrdersProblems.IdempotencyKeyRequired("a b"), OrdersProblems.IdempotencyKeyReused, () => OrdersProblems.InvalidPromoCode("a b"), () => OrdersProblems.NotThisPass("a b"), OrdersProblems.OrderNotFound, OrdersProblems.PassNotFound, OrdersProblems.PromoCodeExhausted, OrdersProblems.PromoCodeNotFound);
        group.MapGet("/", ListOrders).WithName("ListOrders").WithSummary("The caller's orders, newest first (cursor pagination; filter by eventId or status).")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapGet("/{orderId:guid}", GetOrder).WithName("GetOrder")
            .WithSummary("One of the caller's orders: status, amounts, lines, and while it waits for payment, how to pay.")
            .WithDescription("Answers with an ETag. To wait for the next change instead of polling, send it back in If-None-Match with " +
                "Prefer: wait=N (seconds, at most 30): the answer comes as soon as the order changes (200), or after N seconds " +
                "with 304 Not Modified if it did not.")
            .Produces(StatusCodes.Status304NotModified)
            .Problems(OrdersProblems.EventNotOnSale, () => OrdersProblems.InvalidPromoCode("a b"), OrdersProblems.OrderNotFound, OrdersProblems.PromoCodeExhausted, OrdersProblems.PromoCodeNotFound);
        group.MapPost("/{orderId:guid}/cancel", CancelOrder).WithName("CancelOrder").WithSummary("Gives up an order that is waiting for payment: the payment is cancelled and the seats go back.")
            .Problems(OrdersProblems.EventNotOnSale, () => OrdersProblems.InvalidPromoCode("a b"), () => OrdersProblems.NotCancellable(OrderStatus.Confirmed), OrdersProblems.OrderNotFound, OrdersProblems.PromoCodeExhausted, OrdersProblems.PromoCodeNotFound);
        group.MapGet("/{orderId:guid}/receipt", Receipt).WithName("GetReceipt").WithSummary("The receipt of a confirmed (or refunded) order, as an HTML document to keep or print.")
            .Problems(OrdersProblems.OrderNotFound);
        return group;
    }

    /// <summary><see cref="WillCall"/>: the tickets are held for pickup at the box office (no code until an ID check there releases them).</summary>
    public sealed record CheckoutRequest([property: Required] Guid? EventId, [property: Required] Guid? HoldId, [property: StringLength(32)] string? PromoCode,
        bool? WillCall = null);

    public sealed record ListQuery(Guid? EventId, [property: StringLength(32)] string? Status, [property: StringLength(64)] string? Cursor, int? Limit);

    [SkipValidation] // services, not input
    public sealed record CheckoutServices(OrdersDbContext Db, IActorProxyFactory Actors, [FromKeyedServices(OrdersModule.Id)] IWorkflowClient Workflows,
        IOptions<OrdersOptions> Options, TimeProvider Time);

    private static async Task<Accepted<OrderResponse>> Checkout(CheckoutRequest request, Caller caller, [AsParameters] CheckoutServices services,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        OrdersProblems.RequireIdempotencyKey(idempotencyKey, "a checkout");
        var (db, workflows, options) = (services.Db, services.Workflows, services.Options.Value);
        var buyer = caller.RequiredUserId;
        var (eventId, holdId) = (request.EventId!.Value, request.HoldId!.Value);
        if (await FindByKeyAsync(db, buyer, idempotencyKey, cancellationToken) is { } repeated)
        {
            return repeated.HoldId == holdId ? await AcceptedAsync(db, workflows, repeated, cancellationToken) : throw OrdersProblems.IdempotencyKeyReused();
        }

        var saleEvent = await OnSaleAsync(services, eventId, buyer, holdId, cancellationToken);
        if (await db.Orders.AnyAsync(o => o.HoldId == holdId, cancellationToken))
        {
            return await RacedAsync(db, workflows, buyer, idempotencyKey, holdId, cancellationToken);
        }

        // Paying takes time: the hold gets a full hold duration again (up to its maximum lifetime) before the clock starts.
        var extended = await services.Actors.BuyerOf(eventId, buyer).ExtendHoldAsync(new HoldRef(holdId));
        var hold = extended.Hold ?? throw (extended.Failure == HoldFailures.HoldNotFound ? OrdersProblems.HoldNotFound() : OrdersProblems.HoldNotActive());
        if (hold.ExpiresAt - options.PaymentMargin <= services.Time.GetUtcNow())
        {
            throw OrdersProblems.HoldNotActive(); // at its longest lifetime already: no time left to pay
        }

        var lines = await LinesAsync(db, saleEvent, hold, cancellationToken);
        var promo = await PromoAsync(db, saleEvent, request.PromoCode, services.Time.GetUtcNow(), cancellationToken);
        var schedule = await db.FeeSchedules.AsNoTracking().SingleOrDefaultAsync(f => f.OrganizerId == saleEvent.OrganizerId, cancellationToken);
        var quote = Quote.Of(lines, SaleTerms.FeesOf(schedule, options), SaleTerms.DiscountOf(promo), SaleTerms.TaxRateOf(saleEvent, options));

        var now = services.Time.GetUtcNow();
        var order = new Order
        {
            Id = OrderId(buyer, idempotencyKey), Number = OrderNumbers.New(), BuyerId = buyer, OrganizerId = saleEvent.OrganizerId, EventId = eventId, HoldId = holdId,
            IdempotencyKey = idempotencyKey, Status = OrderStatus.PendingPayment, Currency = saleEvent.Currency, PromoCodeId = promo?.Id, WillCall = request.WillCall == true,
            PayBy = hold.ExpiresAt - options.PaymentMargin, CreatedAt = now, UpdatedAt = now,
        };
        quote.ApplyTo(order);
        return await PlaceAsync(db, workflows, order, promo, cancellationToken);
    }

    /// <summary>The event of a checkout, if it is on sale here.</summary>
    private static async Task<SaleEvent> OnSaleAsync(CheckoutServices services, Guid eventId, Guid buyer, Guid holdId, CancellationToken cancellationToken)
    {
        var saleEvent = await services.Db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (saleEvent is null)
        {
            // Unknown here: an id nobody published (404), or an event whose announcement inventory has and we do not have yet.
            throw await services.Actors.BuyerOf(eventId, buyer).GetHoldAsync(new HoldRef(holdId)) is null ? OrdersProblems.EventNotFound() : OrdersProblems.EventNotOnSale();
        }

        return saleEvent.Cancelled ? throw OrdersProblems.EventNotOnSale() : saleEvent;
    }

    /// <summary>Writes the order (and a use of its promo code) and starts its purchase; a twin that got there first answers instead.</summary>
    private static async Task<Accepted<OrderResponse>> PlaceAsync(OrdersDbContext db, IWorkflowClient workflows, Order order, PromoCode? promo, CancellationToken cancellationToken)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (promo is not null && await db.PromoCodes.Where(p => p.Id == promo.Id && (p.MaxUses == null || p.Uses < p.MaxUses))
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.Uses, x => x.Uses + 1), cancellationToken) == 0)
            {
                throw OrdersProblems.PromoCodeExhausted();
            }

            db.Orders.Add(order);
            db.Publish(OrderPlaced.Topic, new OrderPlaced(order.Id, order.Number, order.BuyerId, order.EventId, order.Total, order.Currency, order.PayBy, order.CreatedAt));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return await RacedAsync(db, workflows, order.BuyerId, order.IdempotencyKey, order.HoldId, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return await AcceptedAsync(db, workflows, order, cancellationToken);
    }

    /// <summary>The hold is in an order already: a retry (or a racing twin) of this very checkout gets that order; anything else is refused.</summary>
    internal static async Task<Accepted<OrderResponse>> RacedAsync(OrdersDbContext db, IWorkflowClient workflows, Guid buyer, string idempotencyKey, Guid holdId,
        CancellationToken cancellationToken) =>
        await FindByKeyAsync(db, buyer, idempotencyKey, cancellationToken) is { } raced
            ? raced.HoldId == holdId ? await AcceptedAsync(db, workflows, raced, cancellationToken) : throw OrdersProblems.IdempotencyKeyReused()
            : throw OrdersProblems.HoldAlreadyCheckedOut();

    private static async Task<Ok<Page<OrderSummary>>> ListOrders([AsParameters] ListQuery query, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        var buyer = caller.RequiredUserId;
        var orders = db.Orders.AsNoTracking().Where(o => o.BuyerId == buyer);
        if (query.EventId is { } eventId)
        {
            orders = orders.Where(o => o.EventId == eventId);
        }

        if (query.Status is { } name)
        {
            // A status no order has (a typo) lists nothing, as it did when statuses were plain text.
            orders = StoredNames<OrderStatus>.TryParse(name, out var status) ? orders.Where(o => o.Status == status) : orders.Where(o => false);
        }

        return TypedResults.Ok(await OrderViews.PageAsync(db, orders, query.Cursor, query.Limit, cancellationToken));
    }

    private static async Task<Results<Ok<OrderResponse>, StatusCodeHttpResult>> GetOrder(Guid orderId, Caller caller, OrdersDbContext db,
        [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, IOptions<OrdersOptions> options, HttpContext http, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var known = http.Request.Headers.IfNoneMatch.ToString();
        var wait = known.Length == 0 ? TimeSpan.Zero : LongPoll.RequestedWait(http.Request.Headers["Prefer"]);
        var deadline = time.GetUtcNow() + wait;
        var singleHost = options.Value.SingleHost;
        var unsignalled = false;
        Task? signal = null;
        SaleEvent? saleEvent = null;
        var reread = LongPoll.Reread;
        try
        {
            while (true)
            {
                // The signal is taken before the read, so a change committed in between still wakes the next wait. A
                // request that will not wait takes none, and a waiter gives its signal back however it ends (an answer, a
                // 404, a client that went away), so nothing piles up.
                if (wait > TimeSpan.Zero)
                {
                    if (signal is not null)
                    {
                        OrderSignals.Forget(orderId, signal);
                    }

                    signal = OrderSignals.Next(orderId);
                }

                if (singleHost && wait > TimeSpan.Zero && OrderETags.IsCurrent(orderId, caller.RequiredUserId, known))
                {
                    // This process answered this very tag and has committed no change to the order since: wait, unread.
                    http.Response.Headers.ETag = known;
                    unsignalled = false;
                }
                else
                {
                    var reading = singleHost ? OrderETags.Reading(orderId, caller.RequiredUserId) : null;
                    var order = await OwnOrderAsync(db, caller, orderId, cancellationToken);
                    // The event (its name and start, for the answer) is read once per request, not on every re-read: a
                    // sell-out profile counted more reads of it than of the order, from fans waiting on their purchases.
                    saleEvent ??= await db.Events.AsNoTracking().SingleAsync(e => e.Id == order.EventId, cancellationToken);
                    var response = await ResponseAsync(workflows, order, saleEvent, cancellationToken);
                    var etag = LongPoll.ETagOf(response);
                    // Until the order keeps its payment (before the intent exists, or an order placed before orders kept
                    // it), the answer shows the purchase's status, which changes with no change of the order: that wait
                    // re-reads as with replicas, and its tag is not remembered.
                    unsignalled = order is { Status: OrderStatus.PendingPayment, PaymentClientSecret: null };
                    if (reading is not null && !unsignalled)
                    {
                        OrderETags.Read(orderId, reading, etag);
                    }

                    http.Response.Headers.ETag = etag;
                    if (etag != known)
                    {
                        return TypedResults.Ok(response);
                    }
                }

                if (!await LongPoll.WaitForChangeAsync(signal, deadline, singleHost && !unsignalled ? null : reread, time, cancellationToken))
                {
                    return TypedResults.StatusCode(StatusCodes.Status304NotModified);
                }

                reread = LongPoll.NextReread(reread);
            }
        }
        finally
        {
            if (signal is not null)
            {
                OrderSignals.Forget(orderId, signal);
            }
        }
    }

    private static async Task<Accepted<OrderResponse>> CancelOrder(Guid orderId, Caller caller, OrdersDbContext db,
        [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, CancellationToken cancellationToken)
    {
        var order = await OwnOrderAsync(db, caller, orderId, cancellationToken);
        if (order.Status != OrderStatus.PendingPayment)
        {
            throw OrdersProblems.NotCancellable(order.Status);
        }

        // The purchase decides: if the payment arrived first, the order goes ahead (the fan already paid).
        await workflows.RaiseEventAsync(order.Id.ToString("N"), PaymentOutcome.EventName,
            new PaymentOutcome(PaymentOutcomeKind.Cancelled, null, 0, "cancelled_by_buyer", "The buyer cancelled the order."), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{order.Id}", await ResponseAsync(db, workflows, order, cancellationToken));
    }

    private static async Task<IResult> Receipt(Guid orderId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        var order = await OwnOrderAsync(db, caller, orderId, cancellationToken);
        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.PartiallyRefunded or OrderStatus.Refunded))
        {
            throw new BuildingBlocks.ServiceDefaults.ProblemException(StatusCodes.Status409Conflict, "receipt_not_available",
                "Only a paid order has a receipt.", $"This order is {order.Status.StoredName()}.");
        }

        var saleEvent = await db.Events.AsNoTracking().SingleAsync(e => e.Id == order.EventId, cancellationToken);
        return Results.File(Encoding.UTF8.GetBytes(Receipts.Html(order, saleEvent)), "text/html; charset=utf-8", $"receipt-{order.Number}.html");
    }

    internal static async Task<Accepted<OrderResponse>> AcceptedAsync(OrdersDbContext db, IWorkflowClient workflows, Order order, CancellationToken cancellationToken)
    {
        // Idempotent: the instance id is the order's, so a retried checkout (or the order-placed event) never starts a second purchase.
        await workflows.ScheduleNewWorkflowAsync(PurchaseWorkflow.Name, order.Id.ToString("N"), new PurchaseInput(order.Id, order.PayBy.UtcDateTime, Free: order.Total == 0), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{order.Id}", await ResponseAsync(db, workflows, order, cancellationToken));
    }

    internal static async Task<OrderResponse> ResponseAsync(OrdersDbContext db, IWorkflowClient workflows, Order order, CancellationToken cancellationToken) =>
        await ResponseAsync(workflows, order, await db.Events.AsNoTracking().SingleAsync(e => e.Id == order.EventId, cancellationToken), cancellationToken);

    private static async Task<OrderResponse> ResponseAsync(IWorkflowClient workflows, Order order, SaleEvent saleEvent, CancellationToken cancellationToken)
    {
        PaymentResponse? payment = null;
        if (order is { Status: OrderStatus.PendingPayment, PaymentClientSecret: not null })
        {
            payment = new PaymentResponse(order.PaymentGateway, order.PaymentIntentId, order.PaymentClientSecret);
        }
        else if (order.Status == OrderStatus.PendingPayment)
        {
            // Before the intent exists (or for an order placed before the order kept its payment): the purchase's status.
            var state = await workflows.GetWorkflowStateAsync(order.Id.ToString("N"), getInputsAndOutputs: false, cancellationToken);
            var status = state.ReadCustomStatusAs<PurchaseStatus>();
            payment = new PaymentResponse(status?.Gateway, status?.PaymentIntentId ?? order.PaymentIntentId, status?.ClientSecret);
        }

        return OrderViews.Response(order, saleEvent, payment);
    }

    private static async Task<Order> OwnOrderAsync(OrdersDbContext db, Caller caller, Guid orderId, CancellationToken cancellationToken) =>
        await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId && o.BuyerId == caller.RequiredUserId, cancellationToken)
            ?? throw OrdersProblems.OrderNotFound();

    internal static Task<Order?> FindByKeyAsync(OrdersDbContext db, Guid buyer, string key, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.BuyerId == buyer && o.IdempotencyKey == key, cancellationToken);

    /// <summary>The same buyer and key always name the same order, so even a retry that races the first request cannot make two.</summary>
    internal static Guid OrderId(Guid buyer, string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"order/{buyer:N}/{key}")).AsSpan(0, 16));

    /// <summary>The lines of a hold, at the prices of the moment it was made (<see cref="HoldLines"/>).</summary>
    internal static async Task<List<OrderLine>> LinesAsync(OrdersDbContext db, SaleEvent saleEvent, HoldView hold, CancellationToken cancellationToken)
    {
        var prices = await db.TicketPrices.AsNoTracking().Where(p => p.EventId == saleEvent.Id).ToListAsync(cancellationToken);
        if (hold.HeldAt is { } heldAt)
        {
            // A price changed after the hold was made does not apply to it: the hold keeps the price of its moment.
            var replaced = await db.TicketPriceHistory.AsNoTracking().Where(p => p.EventId == saleEvent.Id && p.ReplacedAt > heldAt)
                .OrderBy(p => p.ReplacedAt).ToListAsync(cancellationToken);
            return HoldLines.Of(hold, HoldLines.PricesAt(prices, replaced));
        }

        return HoldLines.Of(hold, prices);
    }

    private static async Task<PromoCode?> PromoAsync(OrdersDbContext db, SaleEvent saleEvent, string? code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        var normalized = code.Trim().ToUpperInvariant();
        var promo = await db.PromoCodes.AsNoTracking()
            .SingleOrDefaultAsync(p => p.OrganizerId == saleEvent.OrganizerId && p.Code == normalized && (p.EventId == null || p.EventId == saleEvent.Id), cancellationToken)
            ?? throw OrdersProblems.PromoCodeNotFound();
        return promo switch
        {
            { StartsAt: { } starts } when now < starts => throw OrdersProblems.InvalidPromoCode($"It is valid from {starts:u}."),
            { EndsAt: { } ends } when now >= ends => throw OrdersProblems.InvalidPromoCode($"It was valid until {ends:u}."),
            { AmountOffMinor: not null } when !string.Equals(promo.Currency, saleEvent.Currency, StringComparison.Ordinal) =>
                throw OrdersProblems.InvalidPromoCode($"It takes an amount off in {promo.Currency}; this event sells in {saleEvent.Currency}."),
            { MaxUses: { } max } when promo.Uses >= max => throw OrdersProblems.PromoCodeExhausted(),
            _ => promo,
        };
    }
}
