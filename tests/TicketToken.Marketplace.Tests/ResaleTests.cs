using System.Net;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>Listings and the resale saga over HTTP, every module real, paying with the simulated gateway's signed webhooks.</summary>
public sealed class ResaleTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    private static readonly object CappedResale = new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 };

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_fan_lists_at_the_cap_another_buys_and_the_ticket_is_reissued_with_the_money_split_and_the_payout_scheduled()
    {
        var (_, organizerId, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var cap = await fixture.OrderTotalAsync(ticketId);
        cap.Should().BeGreaterThan(5_000, "the cap includes the fees and tax the fan paid");

        using (var over = await Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId, price = cap + 1 }))
        {
            var problem = await over.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "price_above_cap");
            problem.Detail.Should().Contain(cap.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue("a refused listing leaves the ticket unlocked");
        var listing = await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = cap });
        var listingId = listing.GetProperty("id").GetGuid();
        listing.GetProperty("cap").GetInt64().Should().Be(cap);
        (await fixture.Database.ScalarAsync<string>("select lock_reason from tickets.tickets where id = $1", ticketId)).Should().Be("listing");
        using (var gift = await Client.SendAsync(seller, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = "friend@example.com" }))
        {
            await gift.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_locked");
        }

        using (var browse = await Client.GetAsync($"/api/marketplace/listings?eventId={eventId}"))
        {
            (await browse.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("id").GetGuid()).Should().Contain(listingId);
        }

        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, listingId);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");

        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketId)).Should().Be(buyer.UserId);
        (await fixture.Database.ScalarAsync<int>("select secret_version from tickets.tickets where id = $1", ticketId)).Should().Be(2, "the seller's codes die");
        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue();
        using (var sellersView = await Client.SendAsync(seller, HttpMethod.Get, $"/api/tickets/{ticketId}"))
        {
            await sellersView.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        }

        using (var buyersView = await Client.SendAsync(buyer, HttpMethod.Get, $"/api/tickets/{ticketId}/qr?format=svg"))
        {
            buyersView.StatusCode.Should().Be(HttpStatusCode.OK, "the buyer's code is the one that admits now");
        }

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where source_type = 'resale' and source_id = $1", resaleId.ToString()) == 1, "the ledger posted the resale");
        (await fixture.Database.ScalarAsync<long>("""
            select sum(e.amount) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.source_type = 'resale' and t.source_id = $1
            """, resaleId.ToString())).Should().Be(0);
        long Entry(string account) => fixture.Database.ScalarAsync<long>("""
            select coalesce(-sum(e.amount), 0) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.source_type = 'resale' and t.source_id = $1 and e.account = $2
            """, resaleId.ToString(), account).GetAwaiter().GetResult();
        var royalty = cap * 500 / 10_000;
        var platform = cap * 250 / 10_000;
        Entry($"organizer_payable:{organizerId:D}").Should().Be(royalty);
        Entry("platform_revenue").Should().Be(platform);
        Entry($"seller_escrow:{seller.UserId:D}").Should().Be(cap - royalty - platform);
        using var payouts = await Client.SendAsync(seller, HttpMethod.Get, "/api/payments/sellers/me/payouts");
        var payout = (await payouts.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
        payout.Text("status").Should().Be("scheduled");
        payout.GetProperty("amount").GetInt64().Should().Be(cap - royalty - platform);
        payout.GetProperty("dueAt").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow.AddDays(30), "the seller is paid after the event");
    }

    [Fact]
    public async Task Resale_forbidden_by_the_events_policy_is_refused_and_leaves_the_ticket_usable()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = false, royaltyBasisPoints = 0 });
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];

        using var refused = await Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId, price = 1_000 });
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "resale_not_allowed");
        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue();
        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.listings where ticket_id = $1", ticketId)).Should().Be(0);
    }

    [Fact]
    public async Task Only_verified_sellers_list_and_only_the_owner_changes_or_withdraws_a_listing()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var unverified = await fixture.Personas.FanAsync();
        var ownTicket = (await fixture.BuyAsync(unverified, eventId, "FLOOR-A-2"))[0];
        using (var refused = await Client.SendAsync(unverified, HttpMethod.Post, "/api/marketplace/listings", new { ticketId = ownTicket, price = 1_000 }))
        {
            var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "seller_onboarding_required");
            problem.Detail.Should().Contain("/api/payments/sellers/me/connect");
        }

        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var stranger = await fixture.SellerAsync();
        using (var notTheirs = await Client.SendAsync(stranger, HttpMethod.Post, "/api/marketplace/listings", new { ticketId, price = 1_000 }))
        {
            await notTheirs.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        }

        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 1_000 })).GetProperty("id").GetGuid();
        using (var edit = await Client.SendAsync(stranger, HttpMethod.Patch, $"/api/marketplace/listings/{listingId}", new { price = 900 }))
        {
            await edit.ShouldBeProblemAsync(HttpStatusCode.NotFound, "listing_not_found");
        }

        using (var withdraw = await Client.SendAsync(stranger, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/withdraw"))
        {
            await withdraw.ShouldBeProblemAsync(HttpStatusCode.NotFound, "listing_not_found");
        }

        using (var edited = await Client.SendAsync(seller, HttpMethod.Patch, $"/api/marketplace/listings/{listingId}", new { price = 900 }))
        {
            (await edited.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("price").GetInt64().Should().Be(900);
        }

        (await fixture.PostAsync(seller, $"/api/marketplace/listings/{listingId}/withdraw", null, HttpStatusCode.OK)).Text("status").Should().Be("withdrawn");
        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue("withdrawing unlocks the ticket");
    }

    [Fact]
    public async Task Two_buyers_racing_for_one_listing_one_gets_it_and_the_other_a_clear_409()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-3"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 4_000 })).GetProperty("id").GetGuid();
        var buyers = new[] { await fixture.Personas.FanAsync(), await fixture.Personas.FanAsync() };

        var answers = await Task.WhenAll(buyers.Select(b => fixture.PurchaseAsync(b, listingId)));

        answers.Count(a => a.StatusCode == HttpStatusCode.Accepted).Should().Be(1);
        var loser = answers.Single(a => a.StatusCode != HttpStatusCode.Accepted);
        await loser.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_unavailable");
        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.resales where listing_id = $1", listingId)).Should().Be(1);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task Two_hundred_buyers_on_twenty_listings_sell_each_listing_at_most_once()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale, seats: 20);
        var listings = new List<Guid>();
        for (var s = 0; s < 4; s++)
        {
            var seller = await fixture.SellerAsync();
            var tickets = await fixture.BuyAsync(seller, eventId, [.. Enumerable.Range(s * 5 + 1, 5).Select(n => $"FLOOR-A-{n}")]);
            foreach (var ticketId in tickets)
            {
                listings.Add((await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 3_000 })).GetProperty("id").GetGuid());
            }
        }

        var buyers = new List<Person>();
        for (var i = 0; i < 200; i++)
        {
            buyers.Add(await fixture.Personas.FanAsync());
        }

        var answers = await Task.WhenAll(buyers.Select((b, i) => fixture.PurchaseAsync(b, listings[i % listings.Count])));

        answers.Count(a => a.StatusCode == HttpStatusCode.Accepted).Should().Be(20, "each listing is reserved by exactly one buyer");
        answers.Where(a => a.StatusCode != HttpStatusCode.Accepted).Should().OnlyContain(a => a.StatusCode == HttpStatusCode.Conflict);
        (await fixture.Database.ScalarAsync<long>("""
            select count(*) from (select listing_id from marketplace.resales where listing_id = any($1) group by listing_id having count(*) > 1) twice
            """, listings.ToArray())).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.listings where id = any($1) and status = 'reserved'", listings.ToArray())).Should().Be(20);
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }
}
