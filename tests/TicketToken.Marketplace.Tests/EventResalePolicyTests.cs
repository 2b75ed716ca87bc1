using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// Issue 16 item 5 with the rules in the event's own resale policy (catalog), not the platform's configuration (this
/// fixture sets none): a two-minute cooldown after buying and one resold ticket per fan, on a clock the test moves.
/// </summary>
public sealed class EventResalePolicyTests(FakeClockMarketplaceFixture fixture) : IClassFixture<FakeClockMarketplaceFixture>
{
    [Fact]
    public async Task The_events_resale_policy_sets_the_cooldown_and_the_per_fan_limit_and_catalog_refuses_impossible_ones()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(new
        {
            allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500, listingCooldownMinutes = 2, maxListingsPerFan = 1,
        });
        using (var published = await fixture.Client.GetAsync($"/api/events/{eventId}"))
        {
            var resale = (await published.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("resale");
            resale.GetProperty("listingCooldownMinutes").GetInt32().Should().Be(2);
            resale.GetProperty("maxListingsPerFan").GetInt32().Should().Be(1);
        }

        (await fixture.Database.ScalarAsync<string>("select listing_cooldown_minutes || ' ' || max_listings_per_fan from marketplace.events where id = $1", eventId))
            .Should().Be("2 1", "the marketplace keeps the event's rules");
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2");

        using (var tooSoon = await fixture.Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 }))
        {
            await tooSoon.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_cooldown");
        }

        fixture.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 });
        using (var second = await fixture.Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = tickets[1], price = 3_000 }))
        {
            var problem = await second.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "event_listing_limit_reached");
            problem.Detail.Should().Contain("1 ticket");
        }

        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", tickets[1])).Should().BeTrue("a refused listing leaves the ticket unlocked");

        foreach (var impossible in new object[]
        {
            new { allowed = true, royaltyBasisPoints = 0, listingCooldownMinutes = -1 },
            new { allowed = true, royaltyBasisPoints = 0, listingCooldownMinutes = 43_201 },
            new { allowed = true, royaltyBasisPoints = 0, maxListingsPerFan = 0 },
        })
        {
            using var refused = await fixture.Client.SendAsync(admin, HttpMethod.Post, "/api/events", new
            {
                organizerId, venueId = Guid.NewGuid(), seatMapId = Guid.NewGuid(), name = "Impossible Night", category = "concert",
                startsAt = DateTimeOffset.UtcNow.AddDays(30), endsAt = DateTimeOffset.UtcNow.AddDays(30).AddHours(3), currency = "EUR", resale = impossible,
                ticketTypes = new object[] { new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 5_000 } },
            });
            refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await refused.Content.ReadAsStringAsync()).Should().Contain("validation_failed");
        }
    }
}
