using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Domain;

/// <summary>
/// Pays organizers' payable balances out to their connected accounts. A payout is first reserved: in one transaction,
/// under a lock on the organizer's account row, its amount is computed from the ledger (only money posted more than the
/// hold period ago, less everything already taken out) and posted out of the payable balance. Only then is the
/// transfer made, with the payout's id as its idempotency key; a transfer that did not get an answer stays pending and
/// is retried with the same key by the next run, one the gateway refused is posted back. So a payout never exceeds
/// the payable balance, however many runs overlap, and is never paid twice.
/// </summary>
public sealed class PayoutRun(PaymentsDbContext db, IPaymentGateway gateway, IOptions<PaymentsOptions> options, TimeProvider time, ILogger<PayoutRun> logger)
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Failed = "failed";

    /// <summary>Runs every organizer whose account takes payouts, or who has a payout pending; one organizer's failure does not stop the others.</summary>
    public async Task<IReadOnlyList<Payout>> RunAllAsync(DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var organizers = await db.OrganizerAccounts.AsNoTracking().Where(a => a.PayoutsEnabled).Select(a => a.OrganizerId)
            .Union(db.Payouts.Where(p => p.Status == Pending).Select(p => p.OrganizerId))
            .ToListAsync(cancellationToken);
        var payouts = new List<Payout>();
        foreach (var organizerId in organizers)
        {
            try
            {
                payouts.AddRange(await RunAsync(organizerId, asOf, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Paying out organizer {OrganizerId} failed; the next run tries again", organizerId);
                db.ChangeTracker.Clear();
            }
        }

        return payouts;
    }

    /// <summary>
    /// Finishes the organizer's pending payouts, then pays out what has matured by <paramref name="asOf"/> (the run's
    /// time; money posted before <c>asOf - HoldPeriod</c> counts), per currency, when it reaches the minimum.
    /// </summary>
    public async Task<IReadOnlyList<Payout>> RunAsync(Guid organizerId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var pending = await db.Payouts.AsNoTracking().Where(p => p.OrganizerId == organizerId && p.Status == Pending).ToListAsync(cancellationToken);
        var reserved = await ReserveAsync(organizerId, asOf, cancellationToken);
        var done = new List<Payout>();
        foreach (var payout in pending.Concat(reserved))
        {
            done.Add(await TransferAsync(payout, cancellationToken));
        }

        return done;
    }

    private async Task<IReadOnlyList<Payout>> ReserveAsync(Guid organizerId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var settings = options.Value.Payouts;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Runs for one organizer take turns here; each sees what the previous one posted.
        var account = await db.OrganizerAccounts.FromSql($"select * from payments.organizer_accounts where organizer_id = {organizerId} for update")
            .AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (account is not { PayoutsEnabled: true })
        {
            return [];
        }

        var now = time.GetUtcNow();
        var payouts = new List<Payout>();
        foreach (var balance in await OrganizerBalances.ReadAsync(db, organizerId, asOf - settings.HoldPeriod, cancellationToken))
        {
            if (balance.Available < settings.MinimumAmount)
            {
                continue;
            }

            var payout = new Payout
            {
                Id = Guid.CreateVersion7(),
                OrganizerId = organizerId,
                AccountId = account.AccountId,
                Currency = balance.Currency,
                Amount = balance.Available,
                Status = Pending,
                CreatedAt = now,
            };
            db.Payouts.Add(payout);
            Ledger.Add(db, Postings.ForPayout(payout), now);
            payouts.Add(payout);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return payouts;
    }

    private async Task<Payout> TransferAsync(Payout payout, CancellationToken cancellationToken)
    {
        GatewayTransfer transfer;
        try
        {
            transfer = await gateway.TransferAsync(new NewTransfer(payout.Amount, payout.Currency, payout.AccountId, new Dictionary<string, string>
            {
                [PaymentMetadata.PayoutId] = payout.Id.ToString(),
                [PaymentMetadata.OrganizerId] = payout.OrganizerId.ToString(),
            }), payout.Id.ToString(), cancellationToken);
        }
        catch (GatewayException e) when (!e.IsRetryable)
        {
            logger.LogWarning("Payout {PayoutId} of {Amount} {Currency} to {AccountId} was refused: {Reason}", payout.Id, payout.Amount, payout.Currency, payout.AccountId, e.Message);
            return await CompleteAsync(payout.Id, null, e.Error.Message ?? e.Message, cancellationToken);
        }
        catch (GatewayException e)
        {
            logger.LogWarning("Payout {PayoutId} got no answer ({Reason}); it stays pending and the next run retries it with the same key", payout.Id, e.Message);
            return payout;
        }

        return await CompleteAsync(payout.Id, transfer.Id, null, cancellationToken);
    }

    /// <summary>Records the transfer's outcome once (a concurrent run may have recorded it already); a refusal gives the money back.</summary>
    private async Task<Payout> CompleteAsync(Guid payoutId, string? transferId, string? failure, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var payout = await db.Payouts.FromSql($"select * from payments.payouts where id = {payoutId} for update").SingleAsync(cancellationToken);
        if (payout.Status == Pending)
        {
            var now = time.GetUtcNow();
            payout.Status = transferId is null ? Failed : Paid;
            payout.TransferId = transferId;
            payout.FailureMessage = failure;
            payout.CompletedAt = now;
            if (transferId is null)
            {
                Ledger.Add(db, Postings.ForFailedPayout(payout), now);
            }
            else
            {
                db.Publish(PayoutPaid.Topic, new PayoutPaid(payout.Id, payout.OrganizerId, payout.Amount, payout.Currency, transferId, now));
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return payout;
    }
}

/// <summary>An organizer's payable balance in one currency: all of it, and what has matured past the hold period.</summary>
public sealed record OrganizerBalance(string Currency, long Balance, long Available)
{
    public long OnHold => Math.Max(0, Balance - Available);
}

public static class OrganizerBalances
{
    /// <summary>
    /// Money owed to the organizer (credits to its payable account) counts as available once posted before
    /// <paramref name="maturedBefore"/>; money taken out (refunds, payouts: debits) counts at once. So the available
    /// amount is never more than the balance, and never negative.
    /// </summary>
    public static async Task<IReadOnlyList<OrganizerBalance>> ReadAsync(PaymentsDbContext db, Guid organizerId, DateTimeOffset maturedBefore, CancellationToken cancellationToken)
    {
        var account = LedgerAccounts.OrganizerPayable(organizerId);
        var rows = await db.JournalEntries.AsNoTracking()
            .Where(e => e.Account == account)
            .GroupBy(e => e.Currency)
            .Select(g => new
            {
                Currency = g.Key,
                Total = g.Sum(e => e.Amount),
                Matured = g.Sum(e => e.Amount > 0 || e.PostedAt < maturedBefore ? e.Amount : 0),
            })
            .OrderBy(r => r.Currency)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new OrganizerBalance(r.Currency, -r.Total, Math.Max(0, -r.Matured)))];
    }
}
