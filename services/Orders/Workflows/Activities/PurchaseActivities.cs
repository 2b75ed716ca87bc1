using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Tickets;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Workflows.Activities;

// The purchase saga's steps. Each may run more than once (at least once per scheduled call), so each is idempotent:
// the modules they call are idempotent per order, and the order's own changes check where it already stands.

public sealed record CancelPaymentInput(Guid OrderId, string Reason);

/// <summary><see cref="PaymentIntentId"/>: null for an order with nothing to pay.</summary>
public sealed record MarkPaidInput(Guid OrderId, string? PaymentIntentId, long ProcessorFee);

public sealed record FinishOrderInput(Guid OrderId, OrderStatus Status, string? Code, string? Message);

/// <summary><see cref="Amount"/>: null refunds the whole order.</summary>
public sealed record RefundPaymentInput(Guid OrderId, Guid RefundId, long? Amount, string Reason);

/// <summary>The order's payment intent at the gateway (the same one however often this runs).</summary>
public sealed class CreatePaymentIntent(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, PaymentView>
{
    public override async Task<PaymentView> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        var order = await db.Orders.SingleAsync(o => o.Id == orderId, context.CancellationToken);
        var payment = await actors.PaymentOf(orderId).CreateIntentAsync(new CreatePayment(order.Id, order.Number, order.BuyerId, order.OrganizerId, order.EventId,
            order.Total, order.Currency.ToLowerInvariant(), order.PayBy));
        if (order.PaymentIntentId != payment.IntentId || order.PaymentClientSecret != payment.ClientSecret)
        {
            (order.PaymentIntentId, order.PaymentGateway, order.PaymentClientSecret) = (payment.IntentId, payment.Gateway, payment.ClientSecret);
            await db.SaveChangesAsync(context.CancellationToken);
        }

        return payment;
    }
}

/// <summary>Stops the intent from being paid; answers <c>succeeded</c> when the money came in first.</summary>
public sealed class CancelPaymentIntent(IActorProxyFactory actors) : WorkflowActivity<CancelPaymentInput, PaymentView>
{
    public override Task<PaymentView> RunAsync(WorkflowActivityContext context, CancelPaymentInput input) =>
        actors.PaymentOf(input.OrderId).CancelIntentAsync(new CancelPayment(input.OrderId, input.Reason));
}

/// <summary>The seats go back to the sale at once instead of at the hold's expiry.</summary>
public sealed class ReleaseHold(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, context.CancellationToken);
        var released = true;
        foreach (var (_, holdId, holds) in actors.HoldsOf(order))
        {
            released &= await holds.ReleaseHoldAsync(new HoldRef(holdId));
        }

        return released;
    }
}

public sealed class MarkPaid(OrdersDbContext db, TimeProvider time) : WorkflowActivity<MarkPaidInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, MarkPaidInput input)
    {
        var order = await db.Orders.SingleAsync(o => o.Id == input.OrderId, context.CancellationToken);
        if (order.Status != OrderStatus.PendingPayment)
        {
            return false;
        }

        order.Status = OrderStatus.Paid;
        order.PaymentIntentId = input.PaymentIntentId ?? order.PaymentIntentId;
        order.ProcessorFee = input.ProcessorFee;
        order.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}

/// <summary>The held seats become sold to the order. Answers null, or why they cannot be (the hold was lost).</summary>
public sealed class CommitSeats(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, string?>
{
    public override async Task<string?> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, context.CancellationToken);
        // A pass commits its events one after another; a part that cannot be committed fails the purchase, whose undo
        // returns the parts already committed (committing again with the same order is a success, so a retry is safe).
        foreach (var (eventId, holdId, holds) in actors.HoldsOf(order))
        {
            var outcome = await holds.CommitHoldAsync(new Contracts.Inventory.CommitHold(holdId, order.Id));
            if (outcome.Failure is not null)
            {
                return order.PassId is null ? $"{outcome.Failure}: {outcome.Detail}" : $"{outcome.Failure}: event {eventId}: {outcome.Detail}";
            }
        }

        return null;
    }
}

/// <summary>One ticket per order line (issued, not yet usable); the tickets module makes this idempotent per line.</summary>
public sealed class IssueOrderTickets(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, int>
{
    public override async Task<int> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, context.CancellationToken);
        var issued = await actors.TicketsOf(orderId).IssueAsync(new Contracts.Tickets.IssueTickets(order.Id, order.Number, order.EventId, order.OrganizerId, order.BuyerId,
            [.. order.Lines.OrderBy(l => l.LineNumber).Select(l => new TicketLine(l.LineNumber, l.TicketTypeId, l.TicketTypeName, l.SeatId, l.Section, l.RowLabel,
                l.SeatNumber, l.PriceZone, l.FaceValue, order.Currency, l.EventId, l.PassId, order.PassName))], order.WillCall));
        return issued.Tickets.Count;
    }
}

/// <summary>
/// Tickets become active and the order confirmed, and <see cref="OrderConfirmed"/> goes out with it (the ledger posts
/// the sale from it; minting and notifications follow tickets.issued and it).
/// </summary>
public sealed class ConfirmOrder(OrdersDbContext db, IActorProxyFactory actors, TimeProvider time) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        await actors.TicketsOf(orderId).ActivateAsync(new ActivateTickets(orderId));
        var order = await db.Orders.SingleAsync(o => o.Id == orderId, context.CancellationToken);
        if (order.Status == OrderStatus.Confirmed)
        {
            return false;
        }

        var now = time.GetUtcNow();
        order.Status = OrderStatus.Confirmed;
        order.ConfirmedAt = now;
        order.UpdatedAt = now;
        db.Publish(OrderConfirmed.Topic, new OrderConfirmed(order.Id, order.Number, order.BuyerId, order.OrganizerId, order.EventId, order.Currency,
            new OrderAmounts(order.FaceValue, order.Discount, order.Fees, order.Tax, order.Total), order.ProcessorFee, order.PaymentIntentId ?? "", now,
            order.PaymentMethod, order.MailTickets ? order.BuyerEmail : null, order.WillCall));
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}

/// <summary>A paid purchase that cannot finish takes back what it did: its tickets are revoked and its seats returned (or released).</summary>
public sealed class UndoPurchase(OrdersDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid orderId)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId, context.CancellationToken);
        await actors.TicketsOf(orderId).RevokeAsync(new RevokeTickets(orderId, null, "purchase_not_completed"));
        foreach (var (_, holdId, holds) in actors.HoldsOf(order))
        {
            var returned = await holds.ReturnSeatsAsync(new ReturnSeats(holdId, order.Id, null, null));
            if (returned.Failure is not null)
            {
                await holds.ReleaseHoldAsync(new HoldRef(holdId)); // never committed: it was still (or no longer) a plain hold
            }
        }

        return true;
    }
}

/// <summary>Money goes back to the buyer (idempotent per refund id, which the workflow fixes once).</summary>
public sealed class RefundOrderPayment(OrdersDbContext db, IActorProxyFactory actors, Microsoft.Extensions.Options.IOptions<OrdersOptions> options)
    : WorkflowActivity<RefundPaymentInput, RefundView>
{
    private static int s_refunded;

    public override async Task<RefundView> RunAsync(WorkflowActivityContext context, RefundPaymentInput input)
    {
        var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == input.OrderId, context.CancellationToken);
        var refund = await actors.PaymentOf(order.Id).RefundAsync(new Contracts.Payments.RefundPayment(order.Id, input.RefundId, input.Amount ?? order.Total, input.Reason));
        if (options.Value.StallRefundsAfter is { } after && Interlocked.Increment(ref s_refunded) > after)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken); // the crash tests' fault point: see OrdersOptions
        }

        return refund.Status == RefundState.Failed
            ? throw new InvalidOperationException($"The gateway refused refund {input.RefundId}: {refund.FailureMessage}")
            : refund;
    }
}

/// <summary>Ends an order that did not become a sale, once; an order already ended keeps its first ending.</summary>
public sealed class FinishOrder(OrdersDbContext db, TimeProvider time) : WorkflowActivity<FinishOrderInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, FinishOrderInput input)
    {
        var order = await db.Orders.SingleAsync(o => o.Id == input.OrderId, context.CancellationToken);
        if (order.Status.IsFinal())
        {
            return false;
        }

        order.Status = input.Status;
        order.FailureCode = input.Code;
        order.FailureMessage = input.Message;
        order.UpdatedAt = time.GetUtcNow();
        db.Publish(OrderEnded.Topic, new OrderEnded(order.Id, order.Number, order.BuyerId, order.EventId, input.Status.StoredName(), input.Code, order.UpdatedAt));
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}
