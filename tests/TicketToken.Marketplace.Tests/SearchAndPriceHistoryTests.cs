using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>Issue 16 item 4: buyers search what is on sale by event, section, price and quantity; organizers read the price history of completed resales.</summary>
public sealed class SearchAndPriceHistoryTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    [Fact]
    public async Task Search_filters_by_event_section_price_and_quantity_cheapest_first_and_the_price_history_has_min_median_and_max_per_day()
    {
        var resale = new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 };
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(resale);
        var (_, _, otherEvent) = await fixture.OnSaleEventAsync(resale);
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2", "FLOOR-A-3", "FLOOR-A-4");
        var elsewhere = (await fixture.BuyAsync(seller, otherEvent, "FLOOR-A-1"))[0];
        long[] prices = [3_600, 3_000, 3_300, 2_500];
        var listings = new List<Guid>();
        for (var i = 0; i < tickets.Count; i++)
        {
            listings.Add((await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[i], price = prices[i] })).GetProperty("id").GetGuid());
        }

        await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = elsewhere, price = 1_000 });

        async Task<long[]> SearchAsync(string query)
        {
            using var response = await fixture.Client.GetAsync($"/api/marketplace/listings?{query}");
            return [.. (await response.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("price").GetInt64())];
        }

        (await SearchAsync($"eventId={eventId}")).Should().Equal([2_500, 3_000, 3_300, 3_600], "only the event's listings, cheapest first");
        (await SearchAsync($"eventId={eventId}&section=FLOOR")).Should().HaveCount(4);
        (await SearchAsync($"eventId={eventId}&section=BALCONY")).Should().BeEmpty();
        (await SearchAsync($"eventId={eventId}&minPrice=3000&maxPrice=3300")).Should().Equal([3_000, 3_300]);
        (await SearchAsync($"eventId={eventId}&quantity=2")).Should().Equal([2_500, 3_000], "the cheapest listings up to the quantity wanted");
        using (var bad = await fixture.Client.GetAsync($"/api/marketplace/listings?eventId={eventId}&quantity=0"))
        {
            await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        // Three of them sell (the fourth stays on sale): one UTC day with 3 resales at 3000, 3300 and 3600.
        foreach (var listingId in listings.Take(3))
        {
            var buyer = await fixture.Personas.FanAsync();
            using var purchase = await fixture.PurchaseAsync(buyer, listingId);
            var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
            await fixture.PayResaleAsync(buyer, resaleId);
            await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        }

        (await SearchAsync($"eventId={eventId}")).Should().Equal([2_500], "sold listings are no longer on sale");
        using var history = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/marketplace/organizers/{organizerId}/events/{eventId}/price-history");
        var days = (await history.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("days").EnumerateArray().ToList();
        var day = days.Should().ContainSingle().Subject;
        day.GetProperty("resales").GetInt32().Should().Be(3);
        day.GetProperty("min").GetInt64().Should().Be(3_000);
        day.GetProperty("median").GetInt64().Should().Be(3_300);
        day.GetProperty("max").GetInt64().Should().Be(3_600);
        day.Text("currency").Should().BeEquivalentTo("EUR");
    }
}
