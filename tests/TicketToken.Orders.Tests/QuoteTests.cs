using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>What a hold becomes at checkout, without a database: its lines at the prices of its moment, and their shares of every amount.</summary>
public sealed class QuoteTests
{
    private static readonly Guid EventId = Guid.CreateVersion7();
    private static readonly Guid Premium = Guid.CreateVersion7();
    private static readonly Guid Standard = Guid.CreateVersion7();
    private static readonly Guid Standing = Guid.CreateVersion7();

    private static readonly List<TicketPrice> Prices =
    [
        new() { EventId = EventId, TicketTypeId = Premium, Name = "Premium", Kind = PublishedTicketType.Reserved, PriceZone = "PREMIUM", PriceMinor = 8_900 },
        new() { EventId = EventId, TicketTypeId = Standard, Name = "Standard", Kind = PublishedTicketType.Reserved, PriceZone = "STANDARD", PriceMinor = 4_900 },
        new() { EventId = EventId, TicketTypeId = Standing, Name = "Standing", Kind = PublishedTicketType.GeneralAdmission, PriceMinor = 3_000 },
    ];

    private static HoldView Hold(IReadOnlyList<HeldSeat> seats, params GeneralAdmissionQuantity[] places) =>
        new(Guid.CreateVersion7(), EventId, Guid.CreateVersion7(), HoldStatus.Active, seats, places, DateTimeOffset.UtcNow.AddMinutes(10), null);

    [Fact]
    public void A_hold_becomes_one_line_per_seat_in_seat_order_priced_by_its_zone_then_one_per_place()
    {
        var hold = Hold([new("A1-2-1", "A1", "2", "1", "STANDARD"), new("A1-1-1", "A1", "1", "1", "PREMIUM")], new GeneralAdmissionQuantity(Standing, 2));

        var lines = HoldLines.Of(hold, Prices);

        lines.Select(l => (l.SeatId, l.TicketTypeId, l.FaceValue)).Should().Equal(
            ("A1-1-1", Premium, 8_900L), ("A1-2-1", Standard, 4_900L), (null, Standing, 3_000L), (null, Standing, 3_000L));
        lines[0].Should().BeEquivalentTo(new { Section = "A1", RowLabel = "1", SeatNumber = "1", PriceZone = "PREMIUM", TicketTypeName = "Premium" });
    }

    [Fact]
    public void A_seat_whose_zone_has_no_price_here_is_not_on_sale()
    {
        var hold = Hold([new("A1-1-1", "A1", "1", "1", "BALCONY")]);

        var lines = () => HoldLines.Of(hold, Prices);

        lines.Should().Throw<TicketToken.BuildingBlocks.ServiceDefaults.ProblemException>().Which.Code.Should().Be("event_not_on_sale");
    }

    [Fact]
    public void A_hold_keeps_the_price_of_its_moment_when_a_price_changed_after_it()
    {
        var heldAt = DateTimeOffset.UtcNow;
        // Oldest first: the first replacement after the hold is the price that held when the hold was made.
        var replaced = new List<ReplacedTicketPrice>
        {
            new() { EventId = EventId, TicketTypeId = Premium, PriceMinor = 7_500, ReplacedAt = heldAt.AddMinutes(1) },
            new() { EventId = EventId, TicketTypeId = Premium, PriceMinor = 8_000, ReplacedAt = heldAt.AddMinutes(2) },
        };

        var prices = HoldLines.PricesAt(Prices, replaced);

        prices.Single(p => p.TicketTypeId == Premium).PriceMinor.Should().Be(7_500);
        prices.Single(p => p.TicketTypeId == Standard).PriceMinor.Should().Be(4_900, "its price did not change");
        Prices.Single(p => p.TicketTypeId == Premium).PriceMinor.Should().Be(8_900, "today's price list is left as it is");
    }

    [Fact]
    public void A_quote_gives_the_order_its_amounts_and_each_numbered_line_its_share()
    {
        var lines = HoldLines.Of(Hold([new("A1-1-1", "A1", "1", "1", "PREMIUM"), new("A1-1-2", "A1", "1", "2", "PREMIUM")], new GeneralAdmissionQuantity(Standing, 1)), Prices);
        var fees = new Fees(1_000, 100, 290, 30);
        var order = new Order { Id = Guid.CreateVersion7(), Number = "TT-TEST-0001", IdempotencyKey = "k", Status = OrderStatus.PendingPayment, Currency = "EUR" };

        var quote = Quote.Of(lines, fees, new Discount(1_000, null), 1_900);
        quote.ApplyTo(order);

        var expected = Pricing.Price([8_900, 8_900, 3_000], fees, new Discount(1_000, null), 1_900);
        (order.FaceValue, order.Discount, order.Fees, order.Tax, order.Total).Should().Be((expected.FaceValue, expected.Discount, expected.Fees, expected.Tax, expected.Total));
        order.Lines.Select(l => (l.OrderId, l.LineNumber, l.Discount, l.Fees, l.Tax)).Should().Equal(
            expected.Lines.Select((p, i) => (order.Id, i + 1, p.Discount, p.Fees, p.Tax)));
    }

    [Fact]
    public void An_organizers_fee_schedule_replaces_the_platforms_and_tax_follows_the_events_country()
    {
        var options = new OrdersOptions { TaxRates = new(StringComparer.OrdinalIgnoreCase) { ["DE"] = 1_900 } };
        var schedule = new FeeSchedule { ServiceBasisPoints = 500, PerTicketMinor = 0, ProcessingBasisPoints = 0, ProcessingFixedMinor = 0 };
        var saleEvent = new SaleEvent { Id = EventId, Name = "Gig", Currency = "EUR", Country = "de" };

        SaleTerms.FeesOf(schedule, options).Should().Be(new Fees(500, 0, 0, 0));
        SaleTerms.FeesOf(null, options).Should().Be(new Fees(options.ServiceBasisPoints, options.PerTicketMinor, options.ProcessingBasisPoints, options.ProcessingFixedMinor));
        SaleTerms.TaxRateOf(saleEvent, options).Should().Be(1_900);
        SaleTerms.TaxRateOf(new SaleEvent { Id = EventId, Name = "Gig", Currency = "EUR" }, options).Should().Be(0, "a venue with no country is taxed at nothing here");
        SaleTerms.DiscountOf(null).Should().BeNull();
    }
}
