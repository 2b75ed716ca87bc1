using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Marketplace;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Tickets;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Domain;

namespace TicketToken.Marketplace.Workflows.Activities;

// The resale saga's steps. Each may run more than once, so each is idempotent: payments and tickets are idempotent per
// resale (and per lock), and the resale's own changes check where it already stands.

public sealed record MarkResalePaidInput(Guid ResaleId, string PaymentIntentId, long ProcessorFee);

public sealed record EndResaleInput(Guid ResaleId, string Status, string? Code);

public sealed record RefundResaleInput(Guid ResaleId, Guid RefundId);

/// <summary>The resale's payment intent (idempotency key: the resale id), through the same payment actor as a primary sale.</summary>
public sealed class CreateResalePayment(MarketplaceDbContext db, IActorProxyFactory actors) : WorkflowActivity<Guid, PaymentView>
{
    public override async Task<PaymentView> RunAsync(WorkflowActivityContext context, Guid resaleId)
    {
        var resale = await db.Resales.SingleAsync(r => r.Id == resaleId, context.CancellationToken);
        var payment = await actors.PaymentOf(resaleId).CreateIntentAsync(new CreatePayment(resale.Id, Number(resale.Id), resale.BuyerId, resale.OrganizerId, resale.EventId,
            resale.Price, resale.Currency.ToLowerInvariant(), resale.PayBy));
        if (resale.PaymentIntentId != payment.IntentId || resale.ClientSecret != payment.ClientSecret)
        {
            (resale.PaymentIntentId, resale.ClientSecret) = (payment.IntentId, payment.ClientSecret);
            await db.SaveChangesAsync(context.CancellationToken);
        }

        return payment;
    }

    /// <summary>What the buyer's statement and Stripe's dashboard show for the resale.</summary>
    public static string Number(Guid resaleId) => "R-" + resaleId.ToString("N")[..12].ToUpperInvariant();
}

/// <summary>Stops the intent from being paid; answers <c>succeeded</c> when the money came in first.</summary>
public sealed class CancelResalePayment(IActorProxyFactory actors) : WorkflowActivity<Guid, PaymentView>
{
    public override Task<PaymentView> RunAsync(WorkflowActivityContext context, Guid resaleId) =>
        actors.PaymentOf(resaleId).CancelIntentAsync(new CancelPayment(resaleId, "abandoned"));
}

/// <summary>The buyer did not pay: the resale ends and the listing is on sale again (or expired, and its ticket unlocked, if its window closed meanwhile).</summary>
public sealed class ReopenListing(MarketplaceDbContext db, IActorProxyFactory actors, TimeProvider time) : WorkflowActivity<EndResaleInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, EndResaleInput input)
    {
        var now = time.GetUtcNow();
        var resale = await db.Resales.SingleAsync(r => r.Id == input.ResaleId, context.CancellationToken);
        var listing = await db.Listings.SingleAsync(l => l.Id == resale.ListingId, context.CancellationToken);
        var unlock = false;
        if (listing.Status == ListingStatuses.Reserved && listing.ResaleId == resale.Id)
        {
            listing.ResaleId = null;
            listing.Status = listing.ExpiresAt > now ? ListingStatuses.Active : ListingStatuses.Expired;
            listing.UpdatedAt = now;
            unlock = listing.Status == ListingStatuses.Expired;
        }

        if (!ResaleStatuses.IsFinal(resale.Status))
        {
            (resale.Status, resale.FailureCode, resale.UpdatedAt) = (input.Status, input.Code, now);
        }

        // An accepted offer whose buyer did not pay lapses, so that the seller may accept another.
        if (resale.OfferId is { } offerId)
        {
            await db.Offers.Where(o => o.Id == offerId && o.Status == OfferStatuses.Accepted)
                .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Expired).SetProperty(x => x.UpdatedAt, now), context.CancellationToken);
        }

        if (unlock)
        {
            await OpenOffers.VoidAsync(db, listing.Id, now, context.CancellationToken);
        }

        await db.SaveChangesAsync(context.CancellationToken);
        if (unlock)
        {
            await actors.LockOf(listing.TicketId).UnlockAsync(new UnlockTicket(listing.TicketId, listing.Id));
        }

        return true;
    }
}

public sealed class MarkResalePaid(MarketplaceDbContext db, TimeProvider time) : WorkflowActivity<MarkResalePaidInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, MarkResalePaidInput input)
    {
        var resale = await db.Resales.SingleAsync(r => r.Id == input.ResaleId, context.CancellationToken);
        if (resale.Status != ResaleStatuses.PendingPayment)
        {
            return false;
        }

        (resale.Status, resale.PaymentIntentId, resale.ProcessorFee, resale.UpdatedAt) = (ResaleStatuses.Paid, input.PaymentIntentId, input.ProcessorFee, time.GetUtcNow());
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}

/// <summary>The ticket goes to the buyer as an accepted gift would (the seller's codes die). Answers null, or why it cannot.</summary>
public sealed class ReissueResoldTicket(MarketplaceDbContext db, IActorProxyFactory actors, IOptions<MarketplaceOptions> options) : WorkflowActivity<Guid, string?>
{
    public override async Task<string?> RunAsync(WorkflowActivityContext context, Guid resaleId)
    {
        if (options.Value.StallBeforeReissue)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken); // the crash tests' fault point: see MarketplaceOptions
        }

        var resale = await db.Resales.AsNoTracking().SingleAsync(r => r.Id == resaleId, context.CancellationToken);
        var result = await actors.LockOf(resale.TicketId).ReissueAsync(new ReissueTicket(resale.TicketId, resale.ListingId, resale.SellerId, resale.BuyerId, resale.Id));
        return result.Failure;
    }
}

/// <summary>
/// The resale is done: the listing sold, the split fixed, and <see cref="ResaleCompleted"/> in the outbox with it (the
/// ledger posts it and schedules the seller's payout for after the event).
/// </summary>
public sealed class CompleteResale(MarketplaceDbContext db, IOptions<MarketplaceOptions> options, TimeProvider time) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid resaleId)
    {
        var resale = await db.Resales.SingleAsync(r => r.Id == resaleId, context.CancellationToken);
        if (resale.Status == ResaleStatuses.Completed)
        {
            return false;
        }

        var listing = await db.Listings.SingleAsync(l => l.Id == resale.ListingId, context.CancellationToken);
        var @event = await db.Events.AsNoTracking().SingleAsync(e => e.Id == resale.EventId, context.CancellationToken);
        var split = ResaleSplit.Of(resale.Price, @event.RoyaltyBasisPoints, options.Value.PlatformFeeBasisPoints);
        var now = time.GetUtcNow();
        (resale.Status, resale.SellerShare, resale.PlatformFee, resale.Royalty, resale.CompletedAt, resale.UpdatedAt) =
            (ResaleStatuses.Completed, split.SellerShare, split.PlatformFee, split.Royalty, now, now);
        (listing.Status, listing.ResaleId, listing.UpdatedAt) = (ListingStatuses.Sold, resale.Id, now);
        await OpenOffers.VoidAsync(db, listing.Id, now, context.CancellationToken);
        db.Publish(ResaleCompleted.Topic, new ResaleCompleted(resale.Id, listing.Id, resale.TicketId, resale.EventId, resale.OrganizerId, resale.SellerId, resale.BuyerId,
            resale.Currency, resale.Price, split.SellerShare, split.PlatformFee, split.Royalty, resale.ProcessorFee ?? 0, resale.PaymentIntentId ?? "",
            @event.EndsAt + options.Value.EscrowAfterEvent, now));
        await db.SaveChangesAsync(context.CancellationToken);
        return true;
    }
}

/// <summary>Money goes back to the buyer (idempotent per refund id, which the workflow fixes once).</summary>
public sealed class RefundResalePayment(MarketplaceDbContext db, IActorProxyFactory actors) : WorkflowActivity<RefundResaleInput, RefundView>
{
    public override async Task<RefundView> RunAsync(WorkflowActivityContext context, RefundResaleInput input)
    {
        var resale = await db.Resales.AsNoTracking().SingleAsync(r => r.Id == input.ResaleId, context.CancellationToken);
        var refund = await actors.PaymentOf(resale.Id).RefundAsync(new RefundPayment(resale.Id, input.RefundId, resale.Price, "requested_by_customer"));
        return refund.Status == RefundState.Failed ? throw new InvalidOperationException($"The gateway refused refund {input.RefundId}: {refund.FailureMessage}") : refund;
    }
}

/// <summary>A paid resale that could not hand over the ticket: refunded (before this), the resale failed, the listing withdrawn and the ticket unlocked.</summary>
public sealed class EndFailedResale(MarketplaceDbContext db, IActorProxyFactory actors, TimeProvider time) : WorkflowActivity<EndResaleInput, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, EndResaleInput input)
    {
        var now = time.GetUtcNow();
        var resale = await db.Resales.SingleAsync(r => r.Id == input.ResaleId, context.CancellationToken);
        var listing = await db.Listings.SingleAsync(l => l.Id == resale.ListingId, context.CancellationToken);
        if (!ResaleStatuses.IsFinal(resale.Status))
        {
            (resale.Status, resale.FailureCode, resale.UpdatedAt) = (input.Status, input.Code?[..Math.Min(input.Code.Length, 500)], now);
        }

        if (listing.ResaleId == resale.Id && listing.Status == ListingStatuses.Reserved)
        {
            (listing.Status, listing.ResaleId, listing.UpdatedAt) = (ListingStatuses.Withdrawn, null, now);
            await OpenOffers.VoidAsync(db, listing.Id, now, context.CancellationToken);
        }

        await db.SaveChangesAsync(context.CancellationToken);
        await actors.LockOf(listing.TicketId).UnlockAsync(new UnlockTicket(listing.TicketId, listing.Id));
        return true;
    }
}

/// <summary>A listing still on sale when its window closed ends as expired and its ticket is unlocked (idempotent: the unlock is per listing).</summary>
public sealed class ExpireListing(MarketplaceDbContext db, IActorProxyFactory actors, TimeProvider time) : WorkflowActivity<Guid, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, Guid listingId)
    {
        var now = time.GetUtcNow();
        var listing = await db.Listings.SingleAsync(l => l.Id == listingId, context.CancellationToken);
        if (listing.Status == ListingStatuses.Active && listing.ExpiresAt <= now)
        {
            (listing.Status, listing.UpdatedAt) = (ListingStatuses.Expired, now);
            await db.SaveChangesAsync(context.CancellationToken);
        }

        if (listing.Status != ListingStatuses.Expired)
        {
            return false;
        }

        await OpenOffers.VoidAsync(db, listing.Id, now, context.CancellationToken);

        await actors.LockOf(listing.TicketId).UnlockAsync(new UnlockTicket(listing.TicketId, listing.Id));
        return true;
    }
}
