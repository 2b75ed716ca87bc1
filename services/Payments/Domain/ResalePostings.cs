using TicketToken.Contracts.Marketplace;

namespace TicketToken.Payments.Domain;

/// <summary>What a resale posts (ADR 0016): the buyer's money splits into the seller's escrow, the platform's fee and the organizer's royalty.</summary>
public static class ResalePostings
{
    public const string Resale = "resale";

    public const string ResaleRefund = "resale_refund";

    public const string SellerPayout = "seller_payout";

    public const string SellerPayoutReversal = "seller_payout_reversal";

    public const string SellerEscrowPrefix = "seller_escrow:";

    /// <summary>The seller's share of their resales, owed to them but held until the payout is due (a liability: credits add).</summary>
    public static string SellerEscrow(Guid sellerId) => SellerEscrowPrefix + sellerId.ToString("D");

    /// <summary>
    /// The buyer's payment comes into cash and the processor's fee goes out of it (the platform bears it, as its fee is
    /// what pays for the resale); the price is owed as the seller's share (in escrow), the organizer's royalty and the
    /// platform's fee, which must add up to the price.
    /// </summary>
    public static Posting ForResale(ResaleCompleted resale)
    {
        if (resale.Price <= 0 || resale.SellerShare < 0 || resale.PlatformFee < 0 || resale.Royalty < 0
            || resale.SellerShare + resale.PlatformFee + resale.Royalty != resale.Price || resale.ProcessorFee < 0 || resale.ProcessorFee > resale.Price)
        {
            throw new InvalidPostingException($"Resale {resale.ResaleId}: the split does not add up ({resale}); seller share + platform fee + royalty is the price, none negative.");
        }

        return new Posting(Resale, resale.ResaleId.ToString(), resale.Currency, $"Resale of ticket {resale.TicketId}",
        [
            (LedgerAccounts.Cash, resale.Price),
            (LedgerAccounts.Cash, -resale.ProcessorFee),
            (LedgerAccounts.ProcessorFees, resale.ProcessorFee),
            (LedgerAccounts.PlatformRevenue, -resale.PlatformFee),
            (LedgerAccounts.OrganizerPayable(resale.OrganizerId), -resale.Royalty),
            (SellerEscrow(resale.SellerId), -resale.SellerShare),
        ], resale.OrganizerId, resale.ResaleId);
    }

    /// <summary>
    /// A resale refunded because its event was cancelled: the price leaves cash back to the buyer, taken out of the seller's
    /// escrow, the organizer's royalty and the platform's fee, exactly as they were posted. The processor's fee stays spent.
    /// </summary>
    public static Posting ForResaleRefund(ResaleRefunded refund)
    {
        if (refund.Price <= 0 || refund.SellerShare < 0 || refund.PlatformFee < 0 || refund.Royalty < 0 || refund.SellerShare + refund.PlatformFee + refund.Royalty != refund.Price)
        {
            throw new InvalidPostingException($"Resale refund {refund.ResaleId}: the split does not add up ({refund}); seller share + platform fee + royalty is the price, none negative.");
        }

        return new Posting(ResaleRefund, refund.ResaleId.ToString(), refund.Currency, $"Refund of resale {refund.ResaleId} ({refund.Reason})",
        [
            (LedgerAccounts.Cash, -refund.Price),
            (LedgerAccounts.PlatformRevenue, refund.PlatformFee),
            (LedgerAccounts.OrganizerPayable(refund.OrganizerId), refund.Royalty),
            (SellerEscrow(refund.SellerId), refund.SellerShare),
        ], refund.OrganizerId, refund.ResaleId);
    }

    /// <summary>A seller's payout, reserved before its transfer: the share leaves escrow and cash.</summary>
    public static Posting ForSellerPayout(Data.SellerPayout payout) =>
        new(SellerPayout, payout.ResaleId.ToString(), payout.Currency, $"Seller payout of resale {payout.ResaleId} to {payout.AccountId}",
            [(SellerEscrow(payout.SellerId), payout.Amount), (LedgerAccounts.Cash, -payout.Amount)], payout.OrganizerId, payout.ResaleId);

    /// <summary>A seller's payout the gateway refused: the share is owed to the seller again, in escrow.</summary>
    public static Posting ForFailedSellerPayout(Data.SellerPayout payout) =>
        new(SellerPayoutReversal, payout.ResaleId.ToString(), payout.Currency, $"Failed seller payout of resale {payout.ResaleId} to {payout.AccountId}",
            [(LedgerAccounts.Cash, payout.Amount), (SellerEscrow(payout.SellerId), -payout.Amount)], payout.OrganizerId, payout.ResaleId);
}
