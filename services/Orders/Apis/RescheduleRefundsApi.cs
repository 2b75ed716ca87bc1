using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Apis;

/// <summary>
/// A rescheduled event's refund offer (docs/adr/0026): the buyer of an order confirmed before the event was moved may
/// have it refunded in full, fees included, until the deadline the organizer set; the tickets are voided and the seats
/// go back on sale. The claim is an ordinary refund (the gateway, the ledger, the tickets) with its own cause, one per order.
/// </summary>
public static class RescheduleRefundsApi
{
    public static RouteGroupBuilder MapRescheduleRefundsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders/{orderId:guid}/reschedule-refund").WithTags("Orders").RequireAuthorization(Policies.Fan);
        group.MapGet("/", GetOffer).WithName("GetRescheduleRefundOffer")
            .WithSummary("The refund one of the caller's orders is offered because its event was moved: until when, how much, and the claim if made.");
        group.MapPost("/", Claim).WithName("ClaimRescheduleRefund")
            .WithSummary("Claims the refund of one of the caller's orders whose event was moved after it was bought: all its lines not refunded yet, or those named. Repeating it answers the same refund.")
            .Problems(OrdersProblems.CounterSaleRefund, () => OrdersProblems.InvalidRefund("a b"), OrdersProblems.NoRefundOffer, () => OrdersProblems.NotRefundable(OrderStatus.Confirmed), OrdersProblems.OrderNotFound, () => OrdersProblems.RefundWindowClosed(default));
        return group;
    }

    /// <summary><see cref="Lines"/>: the order's lines to refund; none, every line not refunded yet.</summary>
    public sealed record ClaimRequest([property: MaxLength(100)] IReadOnlyList<int>? Lines);

    public sealed record RescheduleRefundOffer(Guid OrderId, Guid EventId, DateTimeOffset PreviousStartsAt, DateTimeOffset StartsAt, DateTimeOffset RefundUntil,
        string? Reason, long Amount, string Currency, bool Open, OrganizerApi.RefundResponse? Refund);

    private static async Task<Ok<RescheduleRefundOffer>> GetOffer(Guid orderId, Caller caller, OrdersDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var (order, reschedule) = await OfferAsync(db, caller, orderId, cancellationToken);
        var claim = await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ClaimIdOf(orderId), cancellationToken);
        var taken = await TakenLinesAsync(db, orderId, cancellationToken);
        var amount = claim?.Amount ?? RefundShares.Of(order.Lines.Where(l => !l.Refunded && !taken.Contains(l.LineNumber)), keepFees: false).Total;
        return TypedResults.Ok(new RescheduleRefundOffer(orderId, order.EventId, reschedule.PreviousStartsAt, reschedule.StartsAt, reschedule.RefundUntil, reschedule.Reason,
            amount, order.Currency, claim is null && time.GetUtcNow() < reschedule.RefundUntil && amount > 0, claim is null ? null : OrganizerApi.ToResponse(claim)));
    }

    private static async Task<Accepted<OrganizerApi.RefundResponse>> Claim(Guid orderId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ClaimRequest? request,
        Caller caller, OrdersDbContext db, [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, TimeProvider time, CancellationToken cancellationToken)
    {
        var (order, reschedule) = await OfferAsync(db, caller, orderId, cancellationToken);
        var refundId = ClaimIdOf(orderId);
        if (await db.Refunds.AsNoTracking().SingleOrDefaultAsync(r => r.Id == refundId, cancellationToken) is { } repeated)
        {
            return TypedResults.Accepted($"/api/orders/{orderId}/reschedule-refund", OrganizerApi.ToResponse(repeated));
        }

        var now = time.GetUtcNow();
        if (now >= reschedule.RefundUntil)
        {
            throw OrdersProblems.RefundWindowClosed(reschedule.RefundUntil);
        }

        if (order.Status is not (OrderStatus.Confirmed or OrderStatus.PartiallyRefunded))
        {
            throw OrdersProblems.NotRefundable(order.Status);
        }

        if (order.PaymentMethod is not null)
        {
            throw OrdersProblems.CounterSaleRefund();
        }

        var taken = await TakenLinesAsync(db, orderId, cancellationToken);
        var open = order.Lines.Where(l => !l.Refunded && !taken.Contains(l.LineNumber)).ToList();
        var asked = request?.Lines is { Count: > 0 } named ? named.Distinct().ToList() : [.. open.Select(l => l.LineNumber)];
        if (asked.Count == 0 || asked.Any(n => open.All(l => l.LineNumber != n)))
        {
            throw OrdersProblems.InvalidRefund("Name lines of this order not refunded yet (or none, for all of them).");
        }

        var lines = open.Where(l => asked.Contains(l.LineNumber)).OrderBy(l => l.LineNumber).ToList();
        var amount = RefundShares.Of(lines, keepFees: false).Total;
        if (amount == 0)
        {
            throw OrdersProblems.InvalidRefund("These lines were free: there is nothing to refund.");
        }

        var refund = new Refund
        {
            Id = refundId, OrderId = orderId, Lines = [.. lines.Select(l => l.LineNumber)], Amount = amount, ReturnSeats = true,
            Reason = "The event was rescheduled", Status = RefundStatuses.Pending, RequestedBy = caller.RequiredUserId, CreatedAt = now,
            Cause = RefundCauses.EventRescheduled,
        };
        db.Refunds.Add(refund);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two claims at once: the other one's row won (one per order), and its workflow runs.
            db.ChangeTracker.Clear();
            refund = await db.Refunds.AsNoTracking().SingleAsync(r => r.Id == refundId, cancellationToken);
        }

        // Idempotent: the instance id is the refund's.
        await workflows.ScheduleNewWorkflowAsync(RefundWorkflow.Name, refund.Id.ToString("N"), new RefundInput(refund.Id, orderId), cancellationToken);
        return TypedResults.Accepted($"/api/orders/{orderId}/reschedule-refund", OrganizerApi.ToResponse(refund));
    }

    /// <summary>The caller's order and the latest reschedule of its event after the order was confirmed; 404 otherwise.</summary>
    private static async Task<(Order Order, EventReschedule Reschedule)> OfferAsync(OrdersDbContext db, Caller caller, Guid orderId, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleOrDefaultAsync(o => o.Id == orderId && o.BuyerId == caller.RequiredUserId, cancellationToken)
            ?? throw OrdersProblems.OrderNotFound();
        // Whoever bought after the move bought the new date.
        var confirmedAt = order.ConfirmedAt ?? DateTimeOffset.MaxValue;
        var reschedule = await db.EventReschedules.AsNoTracking().Where(r => r.EventId == order.EventId && r.RescheduledAt > confirmedAt)
            .OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        return reschedule is null ? throw OrdersProblems.NoRefundOffer() : (order, reschedule);
    }

    private static async Task<HashSet<int>> TakenLinesAsync(OrdersDbContext db, Guid orderId, CancellationToken cancellationToken) =>
        (await db.Refunds.AsNoTracking().Where(r => r.OrderId == orderId && r.Status != RefundStatuses.Failed).Select(r => r.Lines).ToListAsync(cancellationToken))
            .SelectMany(l => l).ToHashSet();

    public static Guid ClaimIdOf(Guid orderId) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"event-rescheduled-refund/{orderId:N}")).AsSpan(0, 16));
}
