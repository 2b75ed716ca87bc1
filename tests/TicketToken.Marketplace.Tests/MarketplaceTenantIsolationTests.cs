using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// DESIGN.md invariant 6 and OWASP API1 for the marketplace's routes: a fan changes and reads only their own listings and
/// resales, an organizer's admin sees only their own events' listings and price history. Someone else's resource is
/// answered 404 (not 403, which would confirm it exists), and never with its data.
/// </summary>
public sealed class MarketplaceTenantIsolationTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Another_fan_cannot_reprice_withdraw_or_see_a_listing_among_theirs_nor_read_a_resale()
    {
        var (adminOfEvent, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2");
        var sold = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 })).GetProperty("id").GetGuid();
        var open = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[1], price = 3_100 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, sold);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        var stranger = await fixture.SellerAsync();

        foreach (var intruder in new[] { stranger, buyer, adminOfEvent })
        {
            using (var reprice = await Client.SendAsync(intruder, HttpMethod.Patch, $"/api/marketplace/listings/{open}", new { price = 1 }))
            {
                await reprice.ShouldBeProblemAsync(HttpStatusCode.NotFound, "listing_not_found");
            }

            using (var withdraw = await Client.SendAsync(intruder, HttpMethod.Post, $"/api/marketplace/listings/{open}/withdraw"))
            {
                await withdraw.ShouldBeProblemAsync(HttpStatusCode.NotFound, "listing_not_found");
            }

            using var mine = await Client.SendAsync(intruder, HttpMethod.Get, "/api/marketplace/listings/mine");
            (await mine.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid())
                .Should().NotContain([sold, open], "another fan's listings are not among theirs");
        }

        foreach (var intruder in new[] { stranger, adminOfEvent })
        {
            using var resale = await Client.SendAsync(intruder, HttpMethod.Get, $"/api/marketplace/resales/{resaleId}");
            var problem = await resale.ShouldBeProblemAsync(HttpStatusCode.NotFound, "resale_not_found");
            problem.Detail.Should().NotContain(resaleId.ToString());
        }

        (await fixture.Database.ScalarAsync<long>("select price from marketplace.listings where id = $1", open)).Should().Be(3_100, "no intruder re-priced it");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", open)).Should().Be("active", "no intruder withdrew it");
        (await fixture.Database.ScalarAsync<string>("select lock_reason from tickets.tickets where id = $1", tickets[1])).Should().Be("listing");

        await fixture.PayResaleAsync(buyer, resaleId);
        var buyersView = await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        buyersView.Text("role").Should().Be("buyer");
        using (var sellersResale = await Client.SendAsync(seller, HttpMethod.Get, $"/api/marketplace/resales/{resaleId}"))
        {
            var view = await sellersResale.ShouldBeAsync(HttpStatusCode.OK);
            view.Text("role").Should().Be("seller");
            view.GetProperty("payment").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "how to pay is the buyer's alone");
        }

        using var own = await Client.SendAsync(seller, HttpMethod.Get, "/api/marketplace/listings/mine");
        (await own.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).Should().Contain([sold, open]);
    }

    [Fact]
    public async Task Another_organizers_admin_gets_404_for_the_listings_and_price_history_of_an_event_not_theirs()
    {
        var (adminOfA, organizerA, eventOfA) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var (adminOfB, organizerB) = await fixture.Personas.OrganizerAdminAsync();
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventOfA, "FLOOR-A-1"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 3_333 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, listingId);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");

        foreach (var view in new[] { "listings", "price-history" })
        {
            // B's admin naming A's organizer, and naming their own organizer with A's event: both 404, neither with A's data.
            using (var foreignOrganizer = await Client.SendAsync(adminOfB, HttpMethod.Get, $"/api/marketplace/organizers/{organizerA}/events/{eventOfA}/{view}"))
            {
                await foreignOrganizer.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
            }

            using (var foreignEvent = await Client.SendAsync(adminOfB, HttpMethod.Get, $"/api/marketplace/organizers/{organizerB}/events/{eventOfA}/{view}"))
            {
                await foreignEvent.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
            }

            using (var fan = await Client.SendAsync(seller, HttpMethod.Get, $"/api/marketplace/organizers/{organizerA}/events/{eventOfA}/{view}"))
            {
                fan.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a fan is no organizer's admin");
                (await fan.Content.ReadAsStringAsync()).Should().NotContain("3333");
            }
        }

        using (var listings = await Client.SendAsync(adminOfA, HttpMethod.Get, $"/api/marketplace/organizers/{organizerA}/events/{eventOfA}/listings"))
        {
            var item = (await listings.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
            item.GetProperty("id").GetGuid().Should().Be(listingId);
            item.Text("status").Should().Be("sold");
        }

        using var history = await Client.SendAsync(adminOfA, HttpMethod.Get, $"/api/marketplace/organizers/{organizerA}/events/{eventOfA}/price-history");
        var day = (await history.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("days").EnumerateArray().Single();
        day.GetProperty("resales").GetInt32().Should().Be(1);
        day.GetProperty("median").GetInt64().Should().Be(3_333);
    }
}
