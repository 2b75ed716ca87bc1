using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace TicketToken.Marketplace.Tests;

/// <summary>The whole host on a clock the test moves: nothing happens until the test says the time has come.</summary>
public class FakeClockMarketplaceFixture : MarketplaceFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? Configure => builder => builder.Services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>Listings end when their event's resale window closes, by a durable reminder, and their tickets are unlocked.</summary>
public sealed class ListingExpiryTests(FakeClockMarketplaceFixture fixture) : IClassFixture<FakeClockMarketplaceFixture>
{
    [Fact]
    public async Task A_listing_still_on_sale_when_the_resale_window_closes_expires_and_its_ticket_is_unlocked_while_a_sold_one_stays_sold()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2", "FLOOR-A-3");
        var unsold = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 3_000 })).GetProperty("id").GetGuid();
        var sold = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[1], price = 3_000 })).GetProperty("id").GetGuid();
        var withdrawn = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[2], price = 3_000 })).GetProperty("id").GetGuid();
        await fixture.PostAsync(seller, $"/api/marketplace/listings/{withdrawn}/withdraw", null, HttpStatusCode.OK);
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, sold);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from marketplace.workflow_instances where instance_id = any($1)", (object)new[] { $"listing-expiry-{unsold:N}", $"listing-expiry-{sold:N}" }) == 2,
            "each listing's expiry reminder is set");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", unsold)).Should().Be("active", "the window is still open");

        var startsAt = new DateTimeOffset(DateTime.SpecifyKind(await fixture.Database.ScalarAsync<DateTime>("select starts_at from marketplace.events where id = $1", eventId), DateTimeKind.Utc));
        fixture.Clock.Advance(startsAt - fixture.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", unsold) == "expired",
            "the unsold listing expired when the window closed", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", tickets[0]),
            "its ticket is the seller's to use again", TimeSpan.FromSeconds(60));
        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", tickets[0])).Should().Be(seller.UserId);
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", sold)).Should().Be("sold");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", withdrawn)).Should().Be("withdrawn");
        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", tickets[1])).Should().Be(buyer.UserId, "a sold ticket stays the buyer's");
    }
}
