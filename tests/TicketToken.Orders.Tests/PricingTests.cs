using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>Prices are integers that add up: every order-level amount equals the sum of its lines, to the minor unit.</summary>
public sealed class PricingTests
{
    private static readonly Fees Standard = new(ServiceBasisPoints: 1_000, PerTicketMinor: 100, ProcessingBasisPoints: 290, ProcessingFixedMinor: 30);

    [Fact]
    public void A_simple_order_is_face_value_plus_service_fee_plus_tax_grossed_up_for_processing()
    {
        var priced = Pricing.Price([8_500, 8_500], Standard, null, taxBasisPoints: 1_900);

        priced.FaceValue.Should().Be(17_000);
        priced.Discount.Should().Be(0);
        var service = 1_700 + 200;                             // 10 % of 170.00, and 1.00 for each of two tickets
        var tax = Pricing.Share(17_000 + service, 1_900);       // 19 % of the face value and the service fee
        var subtotal = 17_000 + service + tax;
        priced.Tax.Should().Be(tax);
        priced.Total.Should().Be(priced.FaceValue + priced.Fees + priced.Tax);
        (priced.Total - Pricing.Share(priced.Total, 290) - 30).Should().BeGreaterThanOrEqualTo(subtotal, "after the processor's cut, everything else is covered");
        (priced.Total - 1 - Pricing.Share(priced.Total - 1, 290) - 30).Should().BeLessThan(subtotal, "and the total is the smallest that does so");
    }

    [Fact]
    public void A_percentage_discount_comes_off_the_face_value_before_fees_and_tax()
    {
        var priced = Pricing.Price([10_000], Standard with { ProcessingBasisPoints = 0, ProcessingFixedMinor = 0 }, new Discount(1_500, null), taxBasisPoints: 0);

        priced.Discount.Should().Be(1_500);
        priced.Fees.Should().Be(850 + 100, "10 % of the discounted 85.00, plus 1.00 per ticket");
        priced.Total.Should().Be(10_000 - 1_500 + 950);
    }

    [Fact]
    public void An_amount_off_never_takes_the_face_value_below_zero()
    {
        var priced = Pricing.Price([1_000, 2_000], new Fees(0, 0, 0, 0), new Discount(null, 10_000), 0);

        priced.Discount.Should().Be(3_000);
        priced.Total.Should().Be(0);
        priced.Lines.Should().OnlyContain(l => l.Total == 0);
    }

    [Fact]
    public void Lines_add_up_to_the_order_for_many_awkward_prices()
    {
        var random = new Random(7);
        for (var run = 0; run < 500; run++)
        {
            var faces = Enumerable.Range(0, random.Next(1, 9)).Select(_ => (long)random.Next(0, 50_000)).ToList();
            var fees = new Fees(random.Next(0, 2_000), random.Next(0, 300), random.Next(0, 400), random.Next(0, 50));
            Discount? discount = random.Next(3) switch { 0 => null, 1 => new Discount(random.Next(1, 10_001), null), _ => new Discount(null, random.Next(1, 100_000)) };

            var priced = Pricing.Price(faces, fees, discount, random.Next(0, 2_500));

            priced.Lines.Sum(l => l.FaceValue).Should().Be(priced.FaceValue);
            priced.Lines.Sum(l => l.Discount).Should().Be(priced.Discount);
            priced.Lines.Sum(l => l.Fees).Should().Be(priced.Fees);
            priced.Lines.Sum(l => l.Tax).Should().Be(priced.Tax);
            priced.Lines.Sum(l => l.Total).Should().Be(priced.Total);
            priced.Total.Should().Be(priced.FaceValue - priced.Discount + priced.Fees + priced.Tax);
            priced.Lines.Should().OnlyContain(l => l.Discount <= l.FaceValue && l.Fees >= 0 && l.Tax >= 0);
        }
    }

    [Fact]
    public void Free_tickets_carry_no_fees_and_cost_nothing_however_the_fees_are_set()
    {
        var priced = Pricing.Price([0, 0, 0], Standard, null, taxBasisPoints: 1_900);

        priced.Total.Should().Be(0);
        priced.Fees.Should().Be(0);
        priced.Lines.Should().OnlyContain(l => l.Total == 0);
    }

    [Fact]
    public void A_free_line_beside_a_paid_one_takes_no_per_ticket_fee_or_share_of_the_fees()
    {
        var priced = Pricing.Price([0, 10_000], Standard with { ProcessingBasisPoints = 0, ProcessingFixedMinor = 0 }, null, taxBasisPoints: 0);

        priced.Fees.Should().Be(1_000 + 100, "10 % of the paid face value and one per-ticket fee");
        priced.Lines[0].Total.Should().Be(0);
        priced.Lines[1].Total.Should().Be(11_100);
    }

    [Fact]
    public void Allocation_is_proportional_and_exact()
    {
        Pricing.Allocate(100, [1, 1, 1]).Should().Equal(34, 33, 33);
        Pricing.Allocate(10, [0, 5, 15]).Should().Equal(0, 3, 7).And.Subject.Sum().Should().Be(10);
        Pricing.Allocate(5, [0, 0]).Should().Equal(3, 2);
    }
}
