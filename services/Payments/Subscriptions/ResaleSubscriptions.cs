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
                Currency = posting.Currency,
                Amount = data.SellerShare,
                Status = "scheduled",
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
