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
using Npgsql;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Apis;

/// <summary>
/// What organizers manage about selling: the fees they pay (set by platform admins), promo codes, their orders and
/// refunds. Another organizer's things are answered 404.
/// </summary>
public static class OrganizerApi
{
    public static void MapOrganizerApi(this IEndpointRouteBuilder app)
    {
        var organizers = app.MapGroup("/api/orders/organizers/{organizerId:guid}").WithTags("Orders for organizers").RequireAuthorization(Policies.OrganizerAdmin);
        organizers.MapGet("/fees", GetFees).WithName("GetFeeSchedule").WithSummary("The fees the platform charges on the organizer's sales.")
            .Problems(OrdersProblems.OrganizerNotFound);
        // The platform's price list: only its admins change it.
        app.MapPut("/api/orders/organizers/{organizerId:guid}/fees", SetFees).WithTags("Orders for organizers").RequireAuthorization(Policies.PlatformAdmin)
            .WithName("SetFeeSchedule").WithSummary("Sets the fees the platform charges on an organizer's sales (platform admins only).")
            .WithJsonRequestExamples(new RequestExample("fees", "10 % service, 1.50 per ticket, 2.9 % + 0.30 processing",
                """{ "serviceBasisPoints": 1000, "perTicketMinor": 150, "processingBasisPoints": 290, "processingFixedMinor": 30 }"""));
        organizers.MapPost("/promo-codes", CreatePromoCode).WithName("CreatePromoCode").WithSummary("Creates a promo code for all of the organizer's events or one of them.")
            .WithJsonRequestExamples(new RequestExample("percent", "15 % off one event, 100 uses, until a date",
                """{ "code": "EARLYBIRD", "eventId": "0197a3c7-0000-7000-8000-000000000001", "percentBasisPoints": 1500, "maxUses": 100, "endsAt": "2026-12-31T23:00:00Z" }"""))
            .Problems(OrdersProblems.EventNotFound, () => OrdersProblems.InvalidPromoDefinition("a b"), OrdersProblems.OrganizerNotFound, OrdersProblems.PromoCodeExists);
        organizers.MapGet("/promo-codes", ListPromoCodes).WithName("ListPromoCodes").WithSummary("The organizer's promo codes and how often each was used.")
            .Problems(OrdersProblems.OrganizerNotFound);
        organizers.MapGet("/orders", ListOrganizerOrders).WithName("ListOrganizerOrders").WithSummary("The organizer's orders, newest first (cursor pagination; filter by eventId).")
            .Problems(OrdersProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);

        var refunds = app.MapGroup("/api/orders/{orderId:guid}/refunds").WithTags("Orders for organizers").RequireAuthorization(Policies.OrganizerAdmin);
        refunds.MapPost("/", RefundOrder).WithName("RefundOrder")
            .WithSummary("Refunds some lines (or all) of a confirmed order: the money goes back, their tickets are revoked, and their seats return to sale unless returnSeats is false.")
            .WithJsonRequestExamples(new RequestExample("partial", "Refund two lines and sell the seats again", """{ "lines": [1, 2], "returnSeats": true, "reason": "Obstructed view" }"""))
            .WithRequiredHeader("Idempotency-Key", "A unique value per refund (a UUID), sent again unchanged when retrying it, so that a retry never refunds twice.")
            .Problems(OrdersProblems.CounterSaleRefund, () => OrdersProblems.IdempotencyKeyRequired("a b"), () => OrdersProblems.InvalidRefund("a b"), () => OrdersProblems.NotRefundable(OrderStatus.Confirmed), OrdersProblems.OrderNotFound);
        refunds.MapGet("/", ListRefunds).WithName("ListRefunds").WithSummary("The refunds of an order of the caller's organizer.")
            .Problems(OrdersProblems.OrderNotFound);
    }

    public sealed record FeesRequest([property: Range(0, 5000)] int ServiceBasisPoints, [property: Range(0, 1_000_000)] long PerTicketMinor,
        [property: Range(0, 1000)] int ProcessingBasisPoints, [property: Range(0, 1_000_000)] long ProcessingFixedMinor);

    public sealed record FeesResponse(Guid OrganizerId, int ServiceBasisPoints, long PerTicketMinor, int ProcessingBasisPoints, long ProcessingFixedMinor, bool Default);

    public sealed record PromoCodeRequest(
        [property: Required, StringLength(32, MinimumLength = 3), RegularExpression("^[A-Za-z0-9_-]+$")] string Code,
        Guid? EventId,
        [property: Range(1, 10_000)] int? PercentBasisPoints,
        [property: Range(1, long.MaxValue)] long? AmountOffMinor,
        [property: StringLength(3, MinimumLength = 3)] string? Currency,
        [property: Range(1, int.MaxValue)] int? MaxUses,
        DateTimeOffset? StartsAt,
        DateTimeOffset? EndsAt);

    public sealed record PromoCodeResponse(Guid Id, string Code, Guid? EventId, int? PercentBasisPoints, long? AmountOffMinor, string? Currency, int? MaxUses, int Uses,
        DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, DateTimeOffset CreatedAt);

    public sealed record RefundRequest(IReadOnlyList<int>? Lines, bool? ReturnSeats, [property: Required, StringLength(500, MinimumLength = 3)] string Reason);

    public sealed record RefundResponse(Guid Id, Guid OrderId, IReadOnlyList<int> Lines, long Amount, bool ReturnSeats, string Reason, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    public sealed record OrganizerOrdersQuery(Guid? EventId, [property: StringLength(64)] string? Cursor, int? Limit);

    private static async Task<Ok<FeesResponse>> GetFees(Guid organizerId, Caller caller, OrdersDbContext db, IOptions<OrdersOptions> options, CancellationToken cancellationToken)
    {
        Own(caller, organizerId);
        return TypedResults.Ok(await db.FeeSchedules.AsNoTracking().SingleOrDefaultAsync(f => f.OrganizerId == organizerId, cancellationToken) is { } fees
            ? new FeesResponse(organizerId, fees.ServiceBasisPoints, fees.PerTicketMinor, fees.ProcessingBasisPoints, fees.ProcessingFixedMinor, Default: false)
            : new FeesResponse(organizerId, options.Value.ServiceBasisPoints, options.Value.PerTicketMinor, options.Value.ProcessingBasisPoints, options.Value.ProcessingFixedMinor, Default: true));
    }

    private static async Task<Ok<FeesResponse>> SetFees(Guid organizerId, FeesRequest request, OrdersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var fees = await db.FeeSchedules.SingleOrDefaultAsync(f => f.OrganizerId == organizerId, cancellationToken);
        if (fees is null)
        {
            fees = new FeeSchedule { OrganizerId = organizerId };
            db.FeeSchedules.Add(fees);
        }

        (fees.ServiceBasisPoints, fees.PerTicketMinor, fees.ProcessingBasisPoints, fees.ProcessingFixedMinor) =
            (request.ServiceBasisPoints, request.PerTicketMinor, request.ProcessingBasisPoints, request.ProcessingFixedMinor);
        fees.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new FeesResponse(organizerId, fees.ServiceBasisPoints, fees.PerTicketMinor, fees.ProcessingBasisPoints, fees.ProcessingFixedMinor, Default: false));
    }

    private static async Task<Created<PromoCodeResponse>> CreatePromoCode(Guid organizerId, PromoCodeRequest request, Caller caller, OrdersDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        Own(caller, organizerId);
        if ((request.PercentBasisPoints is null) == (request.AmountOffMinor is null))
        {
            throw OrdersProblems.InvalidPromoDefinition("Give either percentBasisPoints or amountOffMinor.");
        }

        if (request.AmountOffMinor is not null && request.Currency is null)
        {
            throw OrdersProblems.InvalidPromoDefinition("An amount off needs its currency.");
        }

        if (request.StartsAt is { } starts && request.EndsAt is { } ends && ends <= starts)
        {
            throw OrdersProblems.InvalidPromoDefinition("endsAt must be after startsAt.");
        }

        if (request.EventId is { } eventId && !await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken))
        {
            throw OrdersProblems.EventNotFound();
        }

        var promo = new PromoCode
        {
            Id = Guid.CreateVersion7(),
            OrganizerId = organizerId,
            EventId = request.EventId,
            Code = request.Code.ToUpperInvariant(),
            PercentBasisPoints = request.PercentBasisPoints,
            AmountOffMinor = request.AmountOffMinor,
            Currency = request.AmountOffMinor is null ? null : request.Currency!.ToUpperInvariant(),
            MaxUses = request.MaxUses,
            StartsAt = request.StartsAt,
            EndsAt = request.EndsAt,
            CreatedAt = time.GetUtcNow(),
        };
        db.PromoCodes.Add(promo);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw OrdersProblems.PromoCodeExists();
        }

        return TypedResults.Created($"/api/orders/organizers/{organizerId}/promo-codes", ToResponse(promo));
    }

    private static async Task<Ok<IReadOnlyList<PromoCodeResponse>>> ListPromoCodes(Guid organizerId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        Own(caller, organizerId);
        var codes = await db.PromoCodes.AsNoTracking().Where(p => p.OrganizerId == organizerId).OrderBy(p => p.Code).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<PromoCodeResponse>>([.. codes.Select(ToResponse)]);
    }

    private static async Task<Ok<Page<OrderSummary>>> ListOrganizerOrders(Guid organizerId, [AsParameters] OrganizerOrdersQuery query, Caller caller, OrdersDbContext db,
        CancellationToken cancellationToken)
    {
        Own(caller, organizerId);
        var orders = db.Orders.AsNoTracking().Where(o => o.OrganizerId == organizerId);
        if (query.EventId is { } eventId)
        {
            orders = orders.Where(o => o.EventId == eventId);
        }

        return TypedResults.Ok(await OrderViews.PageAsync(db, orders, query.Cursor, query.Limit, cancellationToken));
    }

    private static async Task<Accepted<RefundResponse>> RefundOrder(Guid orderId, RefundRequest request, Caller caller, OrdersDbContext db,
        [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, TimeProvider time, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        OrdersProblems.RequireIdempotencyKey(idempotencyKey, "a refund");

        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !caller.Administers(order.OrganizerId))
        {
            throw OrdersProblems.OrderNotFound();
        }

        var refundId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"refund/{orderId:N}/{idempotencyKey}")).AsSpan(0, 16));
        if (await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId, cancellationToken) is { } repeated)
        {
            return TypedResults.Accepted($"/api/orders/{orderId}/refunds", ToResponse(repeated));
        }

        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.PartiallyRefunded))
        {
            throw OrdersProblems.NotRefundable(order.Status);
        }

        if (order.PaymentMethod is not null)
        {
            throw OrdersProblems.CounterSaleRefund();
        }

        var open = await db.Refunds.Where(r => r.OrderId == orderId && r.Status != RefundStatuses.Failed).Select(r => r.Lines).ToListAsync(cancellationToken);
        var taken = open.SelectMany(l => l).ToHashSet();
        var lines = request.Lines is { Count: > 0 } asked ? asked.Distinct().ToList() : [.. order.Lines.Where(l => !taken.Contains(l.LineNumber)).Select(l => l.LineNumber)];
        if (lines.Count == 0 || lines.Any(n => order.Lines.All(l => l.LineNumber != n)))
        {
            throw OrdersProblems.InvalidRefund("Name lines of this order (or none, for every line not refunded yet).");
        }

        if (lines.Any(taken.Contains))
        {
            throw OrdersProblems.InvalidRefund("Some of these lines are refunded already, or in a refund under way.");
        }

        var refund = new Refund
        {
            Id = refundId,
            OrderId = orderId,
            Lines = [.. lines.Order()],
            Amount = order.Lines.Where(l => lines.Contains(l.LineNumber)).Sum(l => l.Total),
            ReturnSeats = request.ReturnSeats ?? true,
            Reason = request.Reason.Trim(),
            Status = RefundStatuses.Pending,
            RequestedBy = caller.RequiredUserId,
            CreatedAt = time.GetUtcNow(),
        };
        db.Refunds.Add(refund);
        await db.SaveChangesAsync(cancellationToken);
        await workflows.ScheduleNewWorkflowAsync(RefundWorkflow.Name, refund.Id.ToString("N"), new RefundInput(refund.Id, orderId), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{orderId}/refunds", ToResponse(refund));
    }

    private static async Task<Ok<IReadOnlyList<RefundResponse>>> ListRefunds(Guid orderId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orderId, cancellationToken);
        if (order is null || !caller.Administers(order.OrganizerId))
        {
            throw OrdersProblems.OrderNotFound();
        }

        var refunds = await db.Refunds.AsNoTracking().Where(r => r.OrderId == orderId).OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RefundResponse>>([.. refunds.Select(ToResponse)]);
    }

    private static void Own(Caller caller, Guid organizerId)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }
    }

    private static PromoCodeResponse ToResponse(PromoCode p) =>
        new(p.Id, p.Code, p.EventId, p.PercentBasisPoints, p.AmountOffMinor, p.Currency, p.MaxUses, p.Uses, p.StartsAt, p.EndsAt, p.CreatedAt);

    internal static RefundResponse ToResponse(Refund r) => new(r.Id, r.OrderId, r.Lines, r.Amount, r.ReturnSeats, r.Reason, r.Status, r.CreatedAt, r.CompletedAt);
}
