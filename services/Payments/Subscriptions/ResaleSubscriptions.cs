using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Marketplace;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Subscriptions;

/// <summary>
/// A completed resale goes on the ledger and the seller's payout is scheduled for when it is due, both in one
/// transaction, once per resale however often the event is delivered.
/// </summary>
public sealed class PostResale(PaymentsDbContext db, TimeProvider time, ILogger<PostResale> logger) : ITopicHandler<ResaleCompleted>
{
    public async Task<TopicResult> HandleAsync(ResaleCompleted data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        Posting posting;
        try
        {
            posting = ResalePostings.ForResale(data);
        }
        catch (InvalidPostingException e)
        {
            logger.LogError("Resale {ResaleId} cannot be posted: {Reason}", data.ResaleId, e.Message);
            return TopicResult.Drop;
        }

        if (await Ledger.IsPostedAsync(db, posting.SourceType, posting.SourceId, cancellationToken))
        {
            return TopicResult.Success;
        }

        var now = time.GetUtcNow();
        Ledger.Add(db, posting, now);
        if (data.SellerShare > 0)
        {
            db.SellerPayouts.Add(new SellerPayout
            {
                ResaleId = data.ResaleId,
                SellerId = data.SellerId,
                EventId = data.EventId,
                OrganizerId = data.OrganizerId,
                Currency = posting.Currency,
                Amount = data.SellerShare,
                Status = SellerPayoutStatuses.Scheduled,
                DueAt = data.PayoutDueAt,
                CreatedAt = now,
            });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear(); // a concurrent delivery posted it
        }

        return TopicResult.Success;
    }
}

/// <summary>
/// A resale refunded because its event was cancelled: its split is reversed and the seller's payout withheld, in one
/// transaction, once. It waits (retries) until the resale itself is posted, as the two topics may arrive in either order.
/// </summary>
public sealed class ReverseResale(PaymentsDbContext db, TimeProvider time, ILogger<ReverseResale> logger) : ITopicHandler<ResaleRefunded>
{
    public async Task<TopicResult> HandleAsync(ResaleRefunded data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        Posting posting;
        try
        {
            posting = ResalePostings.ForResaleRefund(data);
        }
        catch (InvalidPostingException e)
        {
            logger.LogError("Resale refund {ResaleId} cannot be posted: {Reason}", data.ResaleId, e.Message);
            return TopicResult.Drop;
        }

        if (await Ledger.IsPostedAsync(db, posting.SourceType, posting.SourceId, cancellationToken))
        {
            return TopicResult.Success;
        }

        if (!await Ledger.IsPostedAsync(db, ResalePostings.Resale, posting.SourceId, cancellationToken))
        {
            return TopicResult.Retry; // marketplace.resale-completed is still on its way
        }

        var now = time.GetUtcNow();
        Ledger.Add(db, posting, now);
        var payout = await db.SellerPayouts.SingleOrDefaultAsync(p => p.ResaleId == data.ResaleId, cancellationToken);
        if (payout is { Status: SellerPayoutStatuses.Scheduled })
        {
            payout.Status = SellerPayoutStatuses.Withheld;
        }
        else if (payout is not null)
        {
            logger.LogWarning("Resale {ResaleId} was refunded but its seller payout is already {Status}: the seller's escrow goes negative", data.ResaleId, payout.Status);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear(); // a concurrent delivery posted it
        }

        return TopicResult.Success;
    }
}
