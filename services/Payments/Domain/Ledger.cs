using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using TicketToken.Contracts.Orders;
using TicketToken.Payments.Data;

namespace TicketToken.Payments.Domain;

/// <summary>
/// The ledger's accounts. <c>cash</c> is the platform's balance at the processor (an asset: debits add); the others are
/// what that money is owed to or spent on: <c>processor_fees</c> (an expense), <c>platform_revenue</c>,
/// <c>tax_payable</c> and one <c>organizer_payable:{organizerId}</c> per organizer (liabilities and revenue: credits add).
/// </summary>
public static class LedgerAccounts
{
    public const string Cash = "cash";
    public const string ProcessorFees = "processor_fees";
    public const string PlatformRevenue = "platform_revenue";
    public const string TaxPayable = "tax_payable";
    public const string OrganizerPayablePrefix = "organizer_payable:";

    public static string OrganizerPayable(Guid organizerId) => OrganizerPayablePrefix + organizerId.ToString("D");

    /// <summary>Money a box office took at its counter: in the organizer's till (cash) or on its own card terminal, never the platform's.</summary>
    public const string BoxOfficeTillPrefix = "box_office_till:";
    public const string BoxOfficeTerminalPrefix = "box_office_terminal:";

    /// <summary>What the organizer sold at its counter and keeps (face value, and the tax it remits itself): revenue the platform never holds or pays out.</summary>
    public const string BoxOfficeSalesPrefix = "box_office_sales:";

    public static string BoxOfficeTill(Guid organizerId) => BoxOfficeTillPrefix + organizerId.ToString("D");

    public static string BoxOfficeTerminal(Guid organizerId) => BoxOfficeTerminalPrefix + organizerId.ToString("D");

    public static string BoxOfficeSales(Guid organizerId) => BoxOfficeSalesPrefix + organizerId.ToString("D");
}

/// <summary>
/// One money movement about to be posted: its lines (debits positive, credits negative) sum to zero, in one currency,
/// and it comes from one source (the sale of an order, a refund, a payout), so that it is posted at most once.
/// </summary>
public sealed partial record Posting
{
    public Posting(string sourceType, string sourceId, string currency, string description, IEnumerable<(string Account, long Amount)> lines,
        Guid? organizerId = null, Guid? orderId = null)
    {
        SourceType = sourceType;
        SourceId = sourceId;
        Currency = currency.ToLowerInvariant();
        Description = description;
        OrganizerId = organizerId;
        OrderId = orderId;
        Lines = [.. lines.Where(l => l.Amount != 0)];
        if (!CurrencyCode().IsMatch(Currency))
        {
            throw new InvalidPostingException($"{sourceType} {sourceId}: '{currency}' is not an ISO 4217 currency code.");
        }

        if (Lines.Count < 2 || Lines.Sum(l => l.Amount) != 0)
        {
            throw new InvalidPostingException($"{sourceType} {sourceId} does not balance: {string.Join(", ", Lines.Select(l => $"{l.Account} {l.Amount}"))}.");
        }
    }

    public string SourceType { get; }
    public string SourceId { get; }
    public string Currency { get; }
    public string Description { get; }
    public Guid? OrganizerId { get; }
    public Guid? OrderId { get; }
    public IReadOnlyList<(string Account, long Amount)> Lines { get; }

    [GeneratedRegex("^[a-z]{3}$")]
    private static partial Regex CurrencyCode();
}

/// <summary>Money that cannot be posted as described (amounts that do not add up, a refund of more than was sold).</summary>
public sealed class InvalidPostingException(string message) : Exception(message);

/// <summary>Writes postings: each one once per source, and only balanced (the database checks the same at commit).</summary>
public static class Ledger
{
    /// <summary>Adds the transaction to <paramref name="db"/>, to commit with its other changes.</summary>
    public static JournalTransaction Add(PaymentsDbContext db, Posting posting, DateTimeOffset postedAt)
    {
        var transaction = new JournalTransaction
        {
            Id = Guid.CreateVersion7(),
            SourceType = posting.SourceType,
            SourceId = posting.SourceId,
            Currency = posting.Currency,
            Description = posting.Description,
            OrganizerId = posting.OrganizerId,
            OrderId = posting.OrderId,
            PostedAt = postedAt,
        };
        transaction.Entries.AddRange(posting.Lines.Select(line => new JournalEntry
        {
            TransactionId = transaction.Id,
            Currency = posting.Currency,
            Account = line.Account,
            Amount = line.Amount,
            PostedAt = postedAt,
        }));
        db.JournalTransactions.Add(transaction);
        return transaction;
    }

    /// <summary>Posts and commits; false when the source was posted before (by an earlier or a concurrent delivery).</summary>
    public static async Task<bool> PostOnceAsync(PaymentsDbContext db, Posting posting, DateTimeOffset postedAt, CancellationToken cancellationToken)
    {
        if (await IsPostedAsync(db, posting.SourceType, posting.SourceId, cancellationToken))
        {
            return false;
        }

        Add(db, posting, postedAt);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    public static Task<bool> IsPostedAsync(PaymentsDbContext db, string sourceType, string sourceId, CancellationToken cancellationToken) =>
        db.JournalTransactions.AnyAsync(t => t.SourceType == sourceType && t.SourceId == sourceId, cancellationToken);
}

/// <summary>What each kind of money movement posts.</summary>
public static class Postings
{
    public const string Sale = "order_sale";
    public const string Refund = "order_refund";
    public const string Payout = "payout";
    public const string PayoutReversal = "payout_reversal";

    /// <summary>
    /// The buyer's payment comes into cash; the processor's fee goes out of it; the fees are the platform's revenue, the
    /// tax is owed to the jurisdiction, and the face value after discount is owed to the organizer.
    /// </summary>
    public static Posting ForSale(OrderConfirmed sale)
    {
        var amounts = Checked(sale.Amounts, $"Order {sale.OrderId}");
        if (sale.ProcessorFee < 0 || sale.ProcessorFee > amounts.Total)
        {
            throw new InvalidPostingException($"Order {sale.OrderId}: a processor fee of {sale.ProcessorFee} on a total of {amounts.Total} is impossible.");
        }

        return new Posting(Sale, sale.OrderId.ToString(), sale.Currency, $"Sale of order {sale.OrderNumber}",
        [
            (LedgerAccounts.Cash, amounts.Total),
            (LedgerAccounts.Cash, -sale.ProcessorFee),
            (LedgerAccounts.ProcessorFees, sale.ProcessorFee),
            (LedgerAccounts.PlatformRevenue, -amounts.Fees),
            (LedgerAccounts.TaxPayable, -amounts.Tax),
            (LedgerAccounts.OrganizerPayable(sale.OrganizerId), -(amounts.FaceValue - amounts.Discount)),
        ], sale.OrganizerId, sale.OrderId);
    }

    /// <summary>
    /// A box-office sale (ADR 0021): the buyer paid the organizer at its counter, in cash into its till or on its own card
    /// terminal, so no money reached the platform. The till (or terminal) is debited with the total and the organizer's
    /// box-office sales credited with it: balanced, and kept apart from <c>cash</c> and <c>organizer_payable</c>, so that a
    /// payout never pays the organizer money it already holds. The platform's fees on a counter sale are zero by design.
    /// </summary>
    public static Posting ForCounterSale(OrderConfirmed sale)
    {
        var amounts = Checked(sale.Amounts, $"Order {sale.OrderId}");
        if (sale.ProcessorFee != 0 || amounts.Fees != 0)
        {
            throw new InvalidPostingException($"Order {sale.OrderId}: a counter sale carries no platform or processor fees ({amounts.Fees}, {sale.ProcessorFee}).");
        }

        var taken = sale.PaymentMethod switch
        {
            CounterPaymentMethods.Cash => LedgerAccounts.BoxOfficeTill(sale.OrganizerId),
            CounterPaymentMethods.CardPresent => LedgerAccounts.BoxOfficeTerminal(sale.OrganizerId),
            _ => throw new InvalidPostingException($"Order {sale.OrderId}: '{sale.PaymentMethod}' is not a counter payment method."),
        };
        return new Posting(Sale, sale.OrderId.ToString(), sale.Currency, $"Box-office sale of order {sale.OrderNumber} ({sale.PaymentMethod})",
            [(taken, amounts.Total), (LedgerAccounts.BoxOfficeSales(sale.OrganizerId), -amounts.Total)], sale.OrganizerId, sale.OrderId);
    }

    /// <summary>
    /// Reverses the refunded part of a sale: every account the sale credited gets back exactly the refunded share, and
    /// the processor's fee is reversed in proportion to the refunded total (cumulatively, so that a sale refunded in full,
    /// in any number of parts, leaves every account where it was before the sale).
    /// </summary>
    public static Posting ForRefund(OrderRefunded refund, JournalTransaction sale, IReadOnlyList<JournalTransaction> earlierRefunds)
    {
        var amounts = Checked(refund.Amounts, $"Refund {refund.RefundId}");
        var payable = LedgerAccounts.OrganizerPayable(refund.OrganizerId);
        if (!string.Equals(sale.Currency, refund.Currency, StringComparison.OrdinalIgnoreCase) || sale.OrganizerId != refund.OrganizerId)
        {
            throw new InvalidPostingException($"Refund {refund.RefundId} ({refund.Currency}, organizer {refund.OrganizerId}) does not match the sale of order {refund.OrderId}.");
        }

        var earlier = earlierRefunds.SelectMany(t => t.Entries).ToList();
        var saleTotal = sale.Entries.Where(e => e.Account == LedgerAccounts.Cash && e.Amount > 0).Sum(e => e.Amount);
        var saleFee = sale.Entries.Where(e => e.Account == LedgerAccounts.ProcessorFees).Sum(e => e.Amount);
        var refundedBefore = -earlier.Where(e => e.Account == LedgerAccounts.Cash && e.Amount < 0).Sum(e => e.Amount);
        var feeReversedBefore = -earlier.Where(e => e.Account == LedgerAccounts.ProcessorFees).Sum(e => e.Amount);
        var refunded = refundedBefore + amounts.Total;
        if (refunded > saleTotal)
        {
            throw new InvalidPostingException($"Refund {refund.RefundId}: {refunded} refunded in all of order {refund.OrderId}, which took {saleTotal}.");
        }

        var feeReversed = (long)((Int128)saleFee * refunded / saleTotal) - feeReversedBefore;
        var posting = new Posting(Refund, refund.RefundId.ToString(), refund.Currency, $"Refund of order {refund.OrderNumber}",
        [
            (LedgerAccounts.Cash, -amounts.Total),
            (LedgerAccounts.Cash, feeReversed),
            (LedgerAccounts.ProcessorFees, -feeReversed),
            (LedgerAccounts.PlatformRevenue, amounts.Fees),
            (LedgerAccounts.TaxPayable, amounts.Tax),
            (payable, amounts.FaceValue - amounts.Discount),
        ], refund.OrganizerId, refund.OrderId);

        foreach (var account in new[] { LedgerAccounts.PlatformRevenue, LedgerAccounts.TaxPayable, payable })
        {
            var credited = -sale.Entries.Where(e => e.Account == account).Sum(e => e.Amount);
            var returned = earlier.Where(e => e.Account == account).Sum(e => e.Amount) + posting.Lines.Where(l => l.Account == account).Sum(l => l.Amount);
            if (returned > credited)
            {
                throw new InvalidPostingException($"Refund {refund.RefundId} returns {returned} from {account} in all, which the sale credited {credited}.");
            }
        }

        return posting;
    }

    /// <summary>An organizer's payable balance leaves cash for its connected account.</summary>
    public static Posting ForPayout(Payout payout) =>
        new(Payout, payout.Id.ToString(), payout.Currency, $"Payout to {payout.AccountId}",
            [(LedgerAccounts.OrganizerPayable(payout.OrganizerId), payout.Amount), (LedgerAccounts.Cash, -payout.Amount)], payout.OrganizerId);

    /// <summary>A payout the gateway refused: the money is the organizer's again.</summary>
    public static Posting ForFailedPayout(Payout payout) =>
        new(PayoutReversal, payout.Id.ToString(), payout.Currency, $"Failed payout to {payout.AccountId}",
            [(LedgerAccounts.Cash, payout.Amount), (LedgerAccounts.OrganizerPayable(payout.OrganizerId), -payout.Amount)], payout.OrganizerId);

    private static OrderAmounts Checked(OrderAmounts amounts, string what)
    {
        if (amounts.FaceValue < 0 || amounts.Discount < 0 || amounts.Fees < 0 || amounts.Tax < 0 || amounts.Discount > amounts.FaceValue
            || amounts.Total <= 0 || amounts.Total != amounts.FaceValue - amounts.Discount + amounts.Fees + amounts.Tax)
        {
            throw new InvalidPostingException($"{what}: the amounts do not add up ({amounts}); the total is face value - discount + fees + tax, none negative.");
        }

        return amounts;
    }
}
