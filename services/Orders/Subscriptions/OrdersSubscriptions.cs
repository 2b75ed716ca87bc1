using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows;

namespace TicketToken.Orders.Subscriptions;

/// <summary>
/// Keeps each published event and its prices, version by version: what a checkout is priced from. Versions are applied
/// in order (docs/adr/0026): a version whose predecessor has not arrived yet is answered with a retry, because a change
/// carries more than the state it leaves (the price a hold made before it keeps, a reschedule's refund offer), and
/// skipping it for a newer one would lose that. Older or repeated versions change nothing.
/// </summary>
public sealed class RecordPublishedEvent(OrdersDbContext db) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var applied = await db.Events.AsNoTracking().Where(e => e.Id == data.EventId).Select(e => (long?)e.Version).SingleOrDefaultAsync(cancellationToken);
        if (EventVersions.Order(applied, data.Version) == VersionOrder.Early)
        {
            return TopicResult.Retry;
        }

        await db.ProcessOnceAsync(nameof(RecordPublishedEvent), envelope.Id, async ct =>
        {
            // Under the row lock the check is repeated: two deliveries of neighbouring versions take turns.
            var known = (await db.Events.FromSql($"select * from orders.events where id = {data.EventId} for update").ToListAsync(ct)).SingleOrDefault();
            if (EventVersions.Order(known?.Version, data.Version) != VersionOrder.Next)
            {
                return;
            }

            if (known is null)
            {
                known = new SaleEvent { Id = data.EventId, Name = data.Name, Currency = data.Currency };
                db.Events.Add(known);
            }

            known.OrganizerId = data.OrganizerId;
            known.VenueId = data.VenueId;
            known.Name = data.Name;
            known.StartsAt = data.StartsAt;
            known.EndsAt = data.EndsAt;
            known.Currency = data.Currency;
            known.Country = data.VenueCountry;
            known.Version = data.Version;
            var previous = await db.TicketPrices.Where(p => p.EventId == data.EventId).ToListAsync(ct);
            if (data.Change is { } change)
            {
                foreach (var old in previous)
                {
                    if (data.TicketTypes.FirstOrDefault(t => t.Id == old.TicketTypeId) is { } now && now.PriceMinor != old.PriceMinor)
                    {
                        db.TicketPriceHistory.Add(new ReplacedTicketPrice { EventId = data.EventId, TicketTypeId = old.TicketTypeId, PriceMinor = old.PriceMinor, ReplacedAt = change.ChangedAt });
                    }
                }

                if (change is { Kind: EventChange.Rescheduled, RefundUntil: { } refundUntil, PreviousStartsAt: { } previousStart })
                {
                    db.EventReschedules.Add(new EventReschedule
                    {
                        EventId = data.EventId, Version = data.Version, PreviousStartsAt = previousStart, StartsAt = data.StartsAt,
                        RescheduledAt = change.ChangedAt, RefundUntil = refundUntil, Reason = change.Reason,
                    });
                }
            }

            db.TicketPrices.RemoveRange(previous);
            db.TicketPrices.AddRange(data.TicketTypes.Select(t => new TicketPrice
            {
                EventId = data.EventId, TicketTypeId = t.Id, Name = t.Name, Kind = t.Kind, PriceZone = t.PriceZone, PriceMinor = t.PriceMinor,
            }));
        }, cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>A cancelled event takes no more checkouts, and every paid order of it is refunded (<see cref="MassRefund"/>; redelivery finishes a start cut short).</summary>
public sealed class RecordCancelledEvent(OrdersDbContext db, [FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, TimeProvider time,
    ILogger<RecordCancelledEvent> logger) : ITopicHandler<EventCancelled>
{
    public async Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.Events.Where(e => e.Id == data.EventId).ExecuteUpdateAsync(e => e.SetProperty(x => x.Cancelled, true), cancellationToken);
        var refunds = await MassRefund.StartAsync(db, workflows, data, time, cancellationToken);
        logger.LogInformation("Event {EventId} was cancelled: {Refunds} paid orders are refunded ({FeePolicy} fees)", data.EventId, refunds, data.FeePolicy);
        return TopicResult.Success;
    }
}

/// <summary>Starts the purchase of a placed order if the checkout could not (idempotent: an instance id starts once).</summary>
public sealed class StartPurchase([FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows) : ITopicHandler<OrderPlaced>
{
    public async Task<TopicResult> HandleAsync(OrderPlaced data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await workflows.ScheduleNewWorkflowAsync(PurchaseWorkflow.Name, data.OrderId.ToString("N"), new PurchaseInput(data.OrderId, data.PayBy.UtcDateTime,
            Free: data.Total == 0 || data.PaymentMethod is not null), cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>
/// The gateway's answer, as payments heard it from the webhook. A success goes to the order's purchase; a success for
/// an order that already ended without a sale (it cannot happen while the purchase cancels the intent before giving
/// up, but money must never be kept for nothing) is refunded, and a failed refund is retried by redelivery. A declined
/// attempt does not end anything: as at Stripe, the intent can be confirmed again with another card until the order's
/// pay-by time, so it is only recorded on the order (attempts, last decline code), which wakes a fan waiting on it.
/// </summary>
public sealed class ForwardPaymentOutcome([FromKeyedServices(OrdersModule.Id)] IWorkflowClient workflows, OrdersDbContext db, IActorProxyFactory actors,
    TimeProvider time, ILogger<ForwardPaymentOutcome> logger) : ITopicHandler<PaymentSucceeded>, ITopicHandler<PaymentFailed>
{
    public async Task<TopicResult> HandleAsync(PaymentSucceeded data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await RaiseAsync(data.OrderId, new PaymentOutcome(PaymentOutcomeKind.Succeeded, data.IntentId, data.ProcessorFee, null, null), cancellationToken);
        if (await db.Orders.Where(o => o.Id == data.OrderId && o.PaymentAttempts < data.Attempt)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.PaymentAttempts, data.Attempt), cancellationToken) > 0)
        {
            db.OrderChanged(data.OrderId);
        }

        var order = await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == data.OrderId, cancellationToken);
        if (order is null || order.Status is not (OrderStatus.Failed or OrderStatus.Expired or OrderStatus.Cancelled) || order.FailureCode == RefundedNotCompleted)
        {
            return TopicResult.Success;
        }

        var refundId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"late-payment/{data.IntentId}")).AsSpan(0, 16));
        var refund = await actors.PaymentOf(order.Id).RefundAsync(new RefundPayment(order.Id, refundId, data.Amount, "payment_after_order_ended"));
        logger.LogWarning("Order {OrderId} was paid after it ended ({Status}); refund {RefundId}: {RefundStatus}", order.Id, order.Status.StoredName(), refundId, refund.Status);
        return refund.Status == RefundState.Failed ? TopicResult.Retry : TopicResult.Success;
    }

    public async Task<TopicResult> HandleAsync(PaymentFailed data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(nameof(ForwardPaymentOutcome), envelope.Id, async ct =>
        {
            var order = await db.Orders.SingleOrDefaultAsync(o => o.Id == data.OrderId, ct);
            if (order is null)
            {
                logger.LogWarning("A declined payment names order {OrderId}, which is not here; ignored", data.OrderId);
                return;
            }

            // Attempts may be reported out of order: the count only grows, and only the newest attempt names the last decline.
            var attempt = data.Attempt > 0 ? data.Attempt : order.PaymentAttempts + 1;
            if (attempt >= order.PaymentAttempts)
            {
                (order.LastDeclineCode, order.LastDeclineMessage) = (data.Code, data.Message);
            }

            order.PaymentAttempts = Math.Max(order.PaymentAttempts, attempt);
            order.UpdatedAt = time.GetUtcNow();
        }, cancellationToken);
        return TopicResult.Success;
    }

    /// <summary>The code of an order whose purchase already refunded its payment.</summary>
    internal const string RefundedNotCompleted = "refunded_not_completed";

    private async Task RaiseAsync(Guid orderId, PaymentOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            await workflows.RaiseEventAsync(orderId.ToString("N"), PaymentOutcome.EventName, outcome, cancellationToken);
        }
        catch (WorkflowNotFoundException)
        {
            logger.LogWarning("A payment outcome ({Outcome}) names order {OrderId}, which has no purchase here; ignored", outcome.Kind.StoredName(), orderId);
        }
    }
}
