using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>What a cancellation refund gives back under each fee policy, split as the sale was.</summary>
public sealed class RefundSharesTests
{
    private static OrderLine Line(long face, long discount, long fees, long tax) =>
        new() { TicketTypeName = "Floor", FaceValue = face, Discount = discount, Fees = fees, Tax = tax };

    [Fact]
    public void Refunding_the_fees_gives_back_every_line_whole()
    {
        var lines = new[] { Line(10_000, 1_000, 1_100, 1_919), Line(5_000, 0, 600, 1_064) };

        var shares = RefundShares.Of(lines, keepFees: false);

        shares.Total.Should().Be(lines.Sum(l => l.Total));
        (shares.Fees, shares.Tax).Should().Be((1_700, 2_983));
    }

    [Fact]
    public void Keeping_the_fees_keeps_each_fee_and_the_tax_charged_on_it()
    {
        // 19 % on (9,000 + 1,100): 1,919, of which 9,000 / 10,100 was charged on the ticket.
        var shares = RefundShares.Of([Line(10_000, 1_000, 1_100, 1_919)], keepFees: true);

        shares.Fees.Should().Be(0);
        shares.Tax.Should().Be(1_919 * 9_000 / 10_100);
        shares.Total.Should().Be(9_000 + (1_919 * 9_000 / 10_100));
    }

    [Fact]
    public void A_free_line_gives_nothing_back_under_either_policy()
    {
        RefundShares.Of([Line(0, 0, 0, 0)], keepFees: true).Total.Should().Be(0);
        RefundShares.Of([Line(0, 0, 0, 0)], keepFees: false).Total.Should().Be(0);
    }
}
