using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>A fake clock and the anti-scalping limits: a 2-minute cooldown after buying, and two tickets of one event per reseller.</summary>
public sealed class AntiScalpingFixture : FakeClockMarketplaceFixture
{
    public static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(2);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Marketplace:ListingCooldownAfterPurchase"] = "00:02:00",
        ["TicketToken:Marketplace:MaxListingsPerSellerPerEvent"] = "2",
    };
}

/// <summary>Protection and anti-scalping (issue 16 item 5): a cooldown after purchase before listing, and a per-event resale limit per account.</summary>
public sealed class AntiScalpingTests(AntiScalpingFixture fixture) : IClassFixture<AntiScalpingFixture>
{
    [Fact]
    public async Task A_ticket_is_listed_only_after_the_cooldown_and_a_fan_resells_at_most_the_events_limit()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2", "FLOOR-A-3");
        var buyer = await fixture.SellerAsync(); // signed in before the clock moves: its tokens are stamped with the fake clock's time

        using (var tooSoon = await fixture.Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 }))
        {
            var problem = await tooSoon.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_cooldown");
            problem.Detail.Should().Contain("from ", "the fan learns when the ticket can be listed");
        }

        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", tickets[0])).Should().BeTrue("a refused listing leaves the ticket unlocked");
        fixture.Clock.Advance(AntiScalpingFixture.Cooldown + TimeSpan.FromSeconds(1));

        var first = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 })).GetProperty("id").GetGuid();
        await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[1], price = 3_000 });
        using (var third = await fixture.Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = tickets[2], price = 3_000 }))
        {
            await third.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "event_listing_limit_reached");
        }

        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", tickets[2])).Should().BeTrue();

        // A resale's buyer waits out the cooldown from the resale, not from the seller's order.
        using var purchase = await fixture.PurchaseAsync(buyer, first);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        using (var flip = await fixture.Client.SendAsync(buyer, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 }))
        {
            await flip.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_cooldown");
        }

        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.listings where ticket_id = $1", tickets[2])).Should().Be(0);
    }
}
