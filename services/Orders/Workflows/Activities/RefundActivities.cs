using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Workflows.Activities;

/// <summary>What a refund takes back, read once from its row.</summary>
public sealed record RefundPlan(Guid RefundId, Guid OrderId, IReadOnlyList<int> Lines, long Amount, bool ReturnSeats, string Reason);

public sealed record FailRefundInput(Guid RefundId, string Message);

public sealed class PlanRefund(OrdersDbContext db) : WorkflowActivity<Guid, RefundPlan>
{
    public override async Task<RefundPlan> RunAsync(WorkflowActivityContext context, Guid refundId)
    {
        var refund = await db.Refunds.AsNoTracking().SingleAsync(r => r.Id == refundId, context.CancellationToken);
        return new RefundPlan(refund.Id, refund.OrderId, refund.Lines, refund.Amount, refund.ReturnSeats, refund.Reason);
    }
}

/// <summary>The refunded lines' tickets become refunded: their codes stop admitting.</summary>
public sealed class RevokeRefundedTickets(IActorProxyFactory actors) : WorkflowActivity<RefundPlan, int>
{
    public override async Task<int> RunAsync(WorkflowActivityContext context, RefundPlan plan) =>
        (await actors.TicketsOf(plan.OrderId).RevokeAsync(new RevokeTickets(plan.OrderId, plan.Lines, RevokeTickets.Refunded))).Tickets.Count;
}

/// <summary>The refunded lines' seats and places go back on sale.</summary>
public sealed class ReturnRefundedSeats(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<RefundPlan, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, RefundPlan plan)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == plan.OrderId, context.CancellationToken);
        // A pass's lines go back to each of their events' holds (docs/adr/0023); any other order has one.
        foreach (var (eventId, holdId, holds) in actors.HoldsOf(order))
        {
            var lines = order.Lines.Where(l => plan.Lines.Contains(l.LineNumber) && (l.EventId ?? order.EventId) == eventId).ToList();
            if (lines.Count == 0)
            {
                continue;
            }

            var seats = lines.Where(l => l.SeatId is not null).Select(l => l.SeatId!).ToList();
            var places = lines.Where(l => l.SeatId is null).GroupBy(l => l.TicketTypeId).Select(g => new GeneralAdmissionQuantity(g.Key, g.Count())).ToList();
            var outcome = await holds.ReturnSeatsAsync(new ReturnSeats(holdId, order.Id, seats, places));
            if (outcome.Failure is not null)
            {
                throw new InvalidOperationException($"Inventory did not take the seats of event {eventId} back: {outcome.Failure} {outcome.Detail}");
            }
        }

        return true;
    }
}

/// <summary>The order records the refund and publishes its breakdown, once.</summary>
public sealed class CompleteRefund(OrdersDbContext db, TimeProvider time) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid refundId)
    {
        var refund = await db.Refunds.SingleAsync(r => r.Id == refundId, context.CancellationToken);
        if (refund.Status != RefundStatuses.Pending)
        {
            return false;
        }

        var order = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == refund.OrderId, context.CancellationToken);
        var lines = order.Lines.Where(l => refund.Lines.Contains(l.LineNumber)).ToList();
        var now = time.GetUtcNow();
        foreach (var line in lines)
        {
            line.Refunded = true;
        }

        order.Refunded += refund.Amount;
        order.Status = order.Lines.All(l => l.Refunded) ? OrderStatus.Refunded : OrderStatus.PartiallyRefunded;
        order.UpdatedAt = now;
        refund.Status = RefundStatuses.Succeeded;
        refund.CompletedAt = now;
        db.Publish(OrderRefunded.Topic, new OrderRefunded(order.Id, order.Number, refund.Id, order.OrganizerId, order.EventId, order.Currency,
            RefundShares.Of(lines, refund.KeepFees), now));
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}

public sealed class FailRefund(OrdersDbContext db, TimeProvider time) : WorkflowActivity<FailRefundInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, FailRefundInput input)
    {
        var refund = await db.Refunds.SingleAsync(r => r.Id == input.RefundId, context.CancellationToken);
        if (refund.Status != RefundStatuses.Pending)
        {
            return false;
        }

        refund.Status = RefundStatuses.Failed;
        refund.FailureMessage = input.Message.Length > 1000 ? input.Message[..1000] : input.Message;
        refund.CompletedAt = time.GetUtcNow();
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}
