using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Orders;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Subscriptions;

/// <summary>A confirmed order's sale goes on the ledger, once per order however often the event is delivered.</summary>
public sealed class PostSale(PaymentsDbContext db, TimeProvider time, ILogger<PostSale> logger) : ITopicHandler<OrderConfirmed>
{
    public async Task<TopicResult> HandleAsync(OrderConfirmed data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        if (data.Amounts.Total == 0 && data.ProcessorFee == 0)
        {
            return TopicResult.Success; // a comp or a free ticket: no money moved, nothing to post
        }

        Posting posting;
        try
        {
            posting = data.PaymentMethod is null ? Postings.ForSale(data) : Postings.ForCounterSale(data);
        }
        catch (InvalidPostingException e)
        {
            // Retrying cannot make the amounts add up: dead-letter it for an operator.
            logger.LogError("Order {OrderId} cannot be posted: {Reason}", data.OrderId, e.Message);
            return TopicResult.Drop;
        }

        await Ledger.PostOnceAsync(db, posting, time.GetUtcNow(), cancellationToken);
        return TopicResult.Success;
    }
}

/// <summary>A refund reverses its part of the order's sale, once per refund; a refund that arrives before its sale waits for it.</summary>
public sealed class PostRefund(PaymentsDbContext db, TimeProvider time, ILogger<PostRefund> logger) : ITopicHandler<OrderRefunded>
{
    public async Task<TopicResult> HandleAsync(OrderRefunded data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        if (await Ledger.IsPostedAsync(db, Postings.Refund, data.RefundId.ToString(), cancellationToken))
        {
            return TopicResult.Success;
        }

        var saleId = data.OrderId.ToString();
        var sale = await db.JournalTransactions.AsNoTracking().Include(t => t.Entries)
            .SingleOrDefaultAsync(t => t.SourceType == Postings.Sale && t.SourceId == saleId, cancellationToken);
        if (sale is null)
        {
            logger.LogInformation("Refund {RefundId} of order {OrderId} came before the order's sale was posted; retrying", data.RefundId, data.OrderId);
            return TopicResult.Retry;
        }

        var earlier = await db.JournalTransactions.AsNoTracking().Include(t => t.Entries)
            .Where(t => t.SourceType == Postings.Refund && t.OrderId == data.OrderId).ToListAsync(cancellationToken);
        Posting posting;
        try
        {
            posting = Postings.ForRefund(data, sale, earlier);
        }
        catch (InvalidPostingException e)
        {
            logger.LogError("Refund {RefundId} of order {OrderId} cannot be posted: {Reason}", data.RefundId, data.OrderId, e.Message);
            return TopicResult.Drop;
        }

        await Ledger.PostOnceAsync(db, posting, time.GetUtcNow(), cancellationToken);
        return TopicResult.Success;
    }
}
