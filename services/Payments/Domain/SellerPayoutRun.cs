using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Domain;

/// <summary>
/// Pays resale sellers their share once it is due (after the event plus the escrow period), as <see cref="PayoutRun"/>
/// pays organizers: each payout is first reserved (one conditional update <c>scheduled</c> → <c>pending</c>, so of
/// overlapping runs one takes it, and the posting out of the seller's escrow in the same transaction), then transferred
/// with its id, the resale id, as the idempotency key. A run that dies between the two, or gets no answer, leaves it
/// pending; the next run repeats the transfer with the same key, which the gateway answers with the first transfer, so a
/// seller is never paid twice. Withheld payouts (their event was cancelled and the buyer refunded) are never touched.
/// </summary>
public sealed class SellerPayoutRun(PaymentsDbContext db, IPaymentGateway gateway, TimeProvider time, ILogger<SellerPayoutRun> logger)
{
    /// <summary>How many due payouts one run reserves; the rest wait for the next run.</summary>
    public const int BatchSize = 200;

    /// <summary>Finishes pending payouts, then reserves and pays those due by <paramref name="asOf"/> whose seller's account pays out.</summary>
    public async Task<IReadOnlyList<SellerPayout>> RunAsync(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var pending = await db.SellerPayouts.AsNoTracking().Where(p => p.Status == SellerPayoutStatuses.Pending).OrderBy(p => p.DueAt).Take(BatchSize)
            .ToListAsync(cancellationToken);
        var due = await (from p in db.SellerPayouts
                         join a in db.SellerAccounts on p.SellerId equals a.UserId
                         where p.Status == SellerPayoutStatuses.Scheduled && p.DueAt <= asOf && a.PayoutsEnabled
                         orderby p.DueAt
                         select new { p.ResaleId, a.AccountId }).AsNoTracking().Take(BatchSize).ToListAsync(cancellationToken);
        var done = new List<SellerPayout>();
        foreach (var payout in pending)
        {
            done.Add(await TransferAsync(payout, cancellationToken));
        }

        foreach (var candidate in due)
        {
            try
            {
                if (await ReserveAsync(candidate.ResaleId, candidate.AccountId, cancellationToken) is { } reserved)
                {
                    done.Add(await TransferAsync(reserved, cancellationToken));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Paying out the seller of resale {ResaleId} failed; the next run tries again", candidate.ResaleId);
                db.ChangeTracker.Clear();
            }
        }

        return done;
    }

    /// <summary>
    /// Takes the payout for this run and posts it out of escrow, in one transaction; null when another run (or a
    /// cancellation, which withholds it) changed it first.
    /// </summary>
    internal async Task<SellerPayout?> ReserveAsync(Guid resaleId, string accountId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var taken = await db.SellerPayouts.Where(p => p.ResaleId == resaleId && p.Status == SellerPayoutStatuses.Scheduled)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Status, SellerPayoutStatuses.Pending).SetProperty(x => x.AccountId, accountId), cancellationToken);
        if (taken == 0)
        {
            return null;
        }

        var payout = await db.SellerPayouts.AsNoTracking().SingleAsync(p => p.ResaleId == resaleId, cancellationToken);
        Ledger.Add(db, ResalePostings.ForSellerPayout(payout), time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return payout;
    }

    private async Task<SellerPayout> TransferAsync(SellerPayout payout, CancellationToken cancellationToken)
    {
        GatewayTransfer transfer;
        try
        {
            transfer = await gateway.TransferAsync(new NewTransfer(payout.Amount, payout.Currency, payout.AccountId!, new Dictionary<string, string>
            {
                [PaymentMetadata.ResaleId] = payout.ResaleId.ToString(),
                [PaymentMetadata.SellerId] = payout.SellerId.ToString(),
            }), SellerPayoutKey(payout.ResaleId), cancellationToken);
        }
        catch (GatewayException e) when (!e.IsRetryable)
        {
            logger.LogWarning("Seller payout {ResaleId} of {Amount} {Currency} to {AccountId} was refused: {Reason}", payout.ResaleId, payout.Amount, payout.Currency,
                payout.AccountId, e.Message);
            return await CompleteAsync(payout.ResaleId, null, e.Error.Message ?? e.Message, cancellationToken);
        }
        catch (GatewayException e)
        {
            logger.LogWarning("Seller payout {ResaleId} got no answer ({Reason}); it stays pending and the next run retries it with the same key", payout.ResaleId, e.Message);
            return payout;
        }

        return await CompleteAsync(payout.ResaleId, transfer.Id, null, cancellationToken);
    }

    /// <summary>The transfer's idempotency key: the payout's id, which is its resale's.</summary>
    public static string SellerPayoutKey(Guid resaleId) => $"seller-payout:{resaleId}";

    /// <summary>Records the transfer's outcome once (a concurrent run may have recorded it); a refusal puts the share back in escrow.</summary>
    private async Task<SellerPayout> CompleteAsync(Guid resaleId, string? transferId, string? failure, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var payout = await db.SellerPayouts.FromSql($"select * from payments.seller_payouts where resale_id = {resaleId} for update").SingleAsync(cancellationToken);
        if (payout.Status == SellerPayoutStatuses.Pending)
        {
            var now = time.GetUtcNow();
            (payout.Status, payout.TransferId, payout.FailureMessage, payout.CompletedAt) =
                (transferId is null ? SellerPayoutStatuses.Failed : SellerPayoutStatuses.Paid, transferId, failure, now);
            if (transferId is null)
            {
                Ledger.Add(db, ResalePostings.ForFailedSellerPayout(payout), now);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return payout;
    }
}
