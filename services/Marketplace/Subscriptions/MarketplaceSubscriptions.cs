using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Marketplace;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Domain;
using TicketToken.Marketplace.Workflows;

namespace TicketToken.Marketplace.Subscriptions;

/// <summary>Keeps the newest version of each published event and its resale policy.</summary>
public sealed class RecordResalePolicy(MarketplaceDbContext db) : ITopicHandler<EventPublished>
{
    public async Task<TopicResult> HandleAsync(EventPublished data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var known = await db.Events.SingleOrDefaultAsync(e => e.Id == data.EventId, cancellationToken);
        if (known is not null && known.Version >= data.Version)
        {
            return TopicResult.Success;
        }

        if (known is null)
        {
            known = new ResaleEvent { Id = data.EventId, Name = data.Name, Currency = data.Currency };
            db.Events.Add(known);
        }

        (known.OrganizerId, known.Name, known.StartsAt, known.EndsAt, known.Currency, known.Country, known.Version) =
            (data.OrganizerId, data.Name, data.StartsAt, data.EndsAt, data.Currency, data.VenueCountry, data.Version);
        (known.ResaleAllowed, known.CapPercent, known.RoyaltyBasisPoints) = (data.Resale.Allowed, data.Resale.PriceCapPercent, data.Resale.RoyaltyBasisPoints);
        (known.ListingCooldownMinutes, known.MaxListingsPerFan) = (data.Resale.ListingCooldownMinutes, data.Resale.MaxListingsPerFan);
        await db.SaveChangesAsync(cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>
/// A cancelled event's open listings end (its tickets are cancelled by the tickets module; nothing can be bought), and
/// every completed resale of it is refunded to its buyer out of escrow, once (the refund's id is derived from the resale,
/// and the resale records it): <see cref="ResaleRefunded"/> tells payments to reverse the split and withhold the seller's
/// payout. Resales still under way end in a refund by their saga, as their ticket can no longer be reissued. A refund the
/// gateway refuses makes the delivery retry; those already done are skipped.
/// </summary>
public sealed class CloseCancelledEvent(MarketplaceDbContext db, IActorProxyFactory actors, TimeProvider time, ILogger<CloseCancelledEvent> logger)
    : ITopicHandler<EventCancelled>
{
    public async Task<TopicResult> HandleAsync(EventCancelled data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.Events.Where(e => e.Id == data.EventId).ExecuteUpdateAsync(e => e.SetProperty(x => x.Cancelled, true), cancellationToken);
        await db.Listings.Where(l => l.EventId == data.EventId && l.Status == ListingStatuses.Active)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Status, ListingStatuses.Withdrawn).SetProperty(x => x.UpdatedAt, time.GetUtcNow()), cancellationToken);
        await OpenOffers.VoidOfEventAsync(db, data.EventId, time.GetUtcNow(), cancellationToken);
        var completed = await db.Resales.Where(r => r.EventId == data.EventId && r.Status == ResaleStatuses.Completed && r.RefundedAt == null).ToListAsync(cancellationToken);
        var result = TopicResult.Success;
        foreach (var resale in completed)
        {
            var refundId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"cancelled-event-resale/{resale.Id:N}")).AsSpan(0, 16));
            var refund = await actors.PaymentOf(resale.Id).RefundAsync(new RefundPayment(resale.Id, refundId, resale.Price, "requested_by_customer"));
            if (refund.Status == RefundState.Failed)
            {
                logger.LogWarning("Resale {ResaleId} of cancelled event {EventId}: the gateway refused refund {RefundId}: {Reason}", resale.Id, data.EventId, refundId, refund.FailureMessage);
                result = TopicResult.Retry;
                continue;
            }

            var now = time.GetUtcNow();
            (resale.RefundedAt, resale.UpdatedAt) = (now, now);
            db.Publish(ResaleRefunded.Topic, new ResaleRefunded(resale.Id, resale.EventId, resale.OrganizerId, resale.SellerId, resale.BuyerId, resale.Currency, resale.Price,
                resale.SellerShare ?? 0, resale.PlatformFee ?? 0, resale.Royalty ?? 0, "event_cancelled", now));
            await db.SaveChangesAsync(cancellationToken);
        }

        return result;
    }
}

/// <summary>What each order cost, for the cap of its tickets.</summary>
public sealed class RecordOrderAmounts(MarketplaceDbContext db) : ITopicHandler<OrderConfirmed>
{
    public async Task<TopicResult> HandleAsync(OrderConfirmed data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            insert into marketplace.order_amounts (order_id, face_value, total, confirmed_at)
            values ({data.OrderId}, {data.Amounts.FaceValue}, {data.Amounts.Total}, {data.ConfirmedAt})
            on conflict (order_id) do nothing
            """, cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>Starts the resale's saga if the purchase's own start was lost in a crash (an instance id starts once).</summary>
public sealed class StartResale([FromKeyedServices(MarketplaceModule.Id)] IWorkflowClient workflows) : ITopicHandler<ResaleReserved>
{
    public async Task<TopicResult> HandleAsync(ResaleReserved data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await workflows.ScheduleNewWorkflowAsync(ResaleWorkflow.Name, data.ResaleId.ToString("N"), new ResaleInput(data.ResaleId, data.PayBy.UtcDateTime), cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>
/// The gateway's success for a resale (payments publishes it by the payment's key, the resale id) goes to the resale's
/// saga. A success for a resale that already ended without a sale is refunded: money is never kept for nothing.
/// Successes of orders are not ours and are ignored.
/// </summary>
public sealed class ForwardResalePayment([FromKeyedServices(MarketplaceModule.Id)] IWorkflowClient workflows, MarketplaceDbContext db, IActorProxyFactory actors,
    ILogger<ForwardResalePayment> logger) : ITopicHandler<PaymentSucceeded>
{
    public async Task<TopicResult> HandleAsync(PaymentSucceeded data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var resale = await db.Resales.AsNoTracking().SingleOrDefaultAsync(r => r.Id == data.OrderId, cancellationToken);
        if (resale is null)
        {
            return TopicResult.Success;
        }

        try
        {
            await workflows.RaiseEventAsync(resale.Id.ToString("N"), ResalePaymentOutcome.EventName,
                new ResalePaymentOutcome(ResalePaymentOutcome.Succeeded, data.IntentId, data.ProcessorFee), cancellationToken);
        }
        catch (WorkflowNotFoundException)
        {
            return TopicResult.Retry; // the reservation's start is still on its way
        }

        if (resale.Status is not (ResaleStatuses.Expired or ResaleStatuses.Cancelled))
        {
            return TopicResult.Success;
        }

        var refundId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"late-resale-payment/{data.IntentId}")).AsSpan(0, 16));
        var refund = await actors.PaymentOf(resale.Id).RefundAsync(new RefundPayment(resale.Id, refundId, data.Amount, "requested_by_customer"));
        logger.LogWarning("Resale {ResaleId} was paid after it ended ({Status}); refund {RefundId}: {RefundStatus}", resale.Id, resale.Status, refundId, refund.Status);
        return refund.Status == RefundState.Failed ? TopicResult.Retry : TopicResult.Success;
    }
}

/// <summary>A buyer reserved a listing (internal topic <see cref="Topic"/>): written with the reservation, so the saga starts even if the request's own start is lost.</summary>
public sealed record ResaleReserved(Guid ResaleId, Guid ListingId, DateTimeOffset PayBy)
{
    public const string Topic = "marketplace.resale-reserved";
}

/// <summary>A listing opened (internal topic <see cref="Topic"/>, written with the listing): its expiry reminder is started, once per listing.</summary>
public sealed record ListingOpened(Guid ListingId, DateTimeOffset ExpiresAt)
{
    public const string Topic = "marketplace.listing-opened";
}

/// <summary>Starts the listing's expiry reminder (an instance id starts once, so redelivery does nothing).</summary>
public sealed class StartListingExpiry([FromKeyedServices(MarketplaceModule.Id)] IWorkflowClient workflows) : ITopicHandler<ListingOpened>
{
    public async Task<TopicResult> HandleAsync(ListingOpened data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await workflows.ScheduleNewWorkflowAsync(ListingExpiryWorkflow.Name, ListingExpiryWorkflow.InstanceId(data.ListingId),
            new ListingExpiryInput(data.ListingId, data.ExpiresAt.UtcDateTime), cancellationToken);
        return TopicResult.Success;
    }
}
