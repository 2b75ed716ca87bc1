using TicketToken.Contracts.Marketplace;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Tests;

/// <summary>A resale refunded on a cancelled event reverses exactly what its completion posted.</summary>
public sealed class ResalePostingsTests
{
    private static readonly Guid Organizer = Guid.NewGuid();
    private static readonly Guid Seller = Guid.NewGuid();

    [Fact]
    public void A_resale_and_its_refund_bring_every_account_but_the_processors_fee_back_to_zero()
    {
        var resaleId = Guid.NewGuid();
        var sale = ResalePostings.ForResale(new ResaleCompleted(resaleId, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Organizer, Seller, Guid.NewGuid(), "eur",
            10_000, 9_250, 250, 500, 320, "pi_1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var refund = ResalePostings.ForResaleRefund(Refund(resaleId, 10_000, 9_250, 250, 500));

        refund.SourceType.Should().Be("resale_refund");
        refund.SourceId.Should().Be(sale.SourceId, "the reversal is found by the resale it reverses");
        refund.Lines.Sum(l => l.Amount).Should().Be(0, "balanced");
        var balances = sale.Lines.Concat(refund.Lines).GroupBy(l => l.Account).ToDictionary(g => g.Key, g => g.Sum(l => l.Amount));
        balances[ResalePostings.SellerEscrow(Seller)].Should().Be(0);
        balances[LedgerAccounts.OrganizerPayable(Organizer)].Should().Be(0);
        balances[LedgerAccounts.PlatformRevenue].Should().Be(0);
        balances[LedgerAccounts.Cash].Should().Be(-320, "the buyer got the whole price back; the processor's fee stays spent");
    }

    [Theory]
    [InlineData(10_000, 9_000, 250, 500)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(10_000, 10_500, -1_000, 500)]
    public void A_refund_whose_split_does_not_add_up_is_refused(long price, long sellerShare, long platformFee, long royalty)
    {
        var refused = () => ResalePostings.ForResaleRefund(Refund(Guid.NewGuid(), price, sellerShare, platformFee, royalty));

        refused.Should().Throw<InvalidPostingException>();
    }

    private static ResaleRefunded Refund(Guid resaleId, long price, long sellerShare, long platformFee, long royalty) =>
        new(resaleId, Guid.NewGuid(), Organizer, Seller, Guid.NewGuid(), "eur", price, sellerShare, platformFee, royalty, "event_cancelled", DateTimeOffset.UtcNow);
}
