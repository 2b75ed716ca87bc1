using System.Net;
using System.Text;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// Offers (issue 16 item 3) over HTTP with every module real: below the asking price and within the cap, answered by the
/// seller (accept, decline, counter) and a counter by the buyer; an acceptance starts the resale at the agreed price.
/// </summary>
public sealed class OfferTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    private static readonly object CappedResale = new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 };

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_buyer_offers_below_the_asking_price_the_seller_counters_the_buyer_accepts_and_the_resale_completes_at_the_counter()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var cap = await fixture.OrderTotalAsync(ticketId);
        var asking = cap - 500;
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = asking })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        var rival = await fixture.Personas.FanAsync();

        using (var aboveCap = await Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/offers", new { price = cap + 1 }))
        {
            var problem = await aboveCap.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "price_above_cap");
            problem.Detail.Should().Contain(cap.ToString(System.Globalization.CultureInfo.InvariantCulture), "the problem states the cap");
        }

        using (var atAsking = await Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/offers", new { price = asking }))
        {
            await atAsking.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "offer_not_below_asking_price");
        }

        using (var own = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/offers", new { price = 1_000 }))
        {
            await own.ShouldBeProblemAsync(HttpStatusCode.Conflict, "own_listing");
        }

        var offer = await fixture.PostAsync(buyer, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_000 });
        var offerId = offer.GetProperty("id").GetGuid();
        offer.Text("status").Should().Be("pending");
        using (var twice = await Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_100 }))
        {
            await twice.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_exists");
        }

        var rivalOffer = (await fixture.PostAsync(rival, $"/api/marketplace/listings/{listingId}/offers", new { price = 2_000 })).GetProperty("id").GetGuid();
        using (var offers = await Client.SendAsync(seller, HttpMethod.Get, $"/api/marketplace/listings/{listingId}/offers"))
        {
            (await offers.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetGuid())
                .Should().BeEquivalentTo([offerId, rivalOffer]);
        }

        using (var ownAccept = await Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/accept"))
        {
            await ownAccept.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_not_open");
        }

        using (var lowCounter = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/counter", new { price = 3_000 }))
        {
            await lowCounter.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "counter_out_of_range");
        }

        using (var highCounter = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/counter", new { price = cap + 1 }))
        {
            await highCounter.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "price_above_cap");
        }

        var countered = await fixture.PostAsync(seller, $"/api/marketplace/offers/{offerId}/counter", new { price = 3_500 }, HttpStatusCode.OK);
        countered.Text("status").Should().Be("countered");
        countered.GetProperty("counterPrice").GetInt64().Should().Be(3_500);
        using (var sellerAccepts = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/accept"))
        {
            await sellerAccepts.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_not_open");
        }

        var accepted = await fixture.PostAsync(buyer, $"/api/marketplace/offers/{offerId}/accept", null, HttpStatusCode.Accepted);
        accepted.Text("status").Should().Be("accepted");
        var resaleId = accepted.GetProperty("resaleId").GetGuid();
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", listingId)).Should().Be("reserved");
        using (var rivalAccepted = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{rivalOffer}/accept"))
        {
            await rivalAccepted.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_unavailable");
        }

        (await fixture.Database.ScalarAsync<string>("select status from marketplace.offers where id = $1", rivalOffer)).Should().Be("pending", "the refused acceptance changed nothing");
        await fixture.PayResaleAsync(buyer, resaleId);
        var resale = await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        resale.GetProperty("price").GetInt64().Should().Be(3_500, "the agreed price, not the asking price");
        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketId)).Should().Be(buyer.UserId);
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.offers where id = $1", rivalOffer)).Should().Be("void", "the listing sold");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where source_type = 'resale' and source_id = $1", resaleId.ToString()) == 1, "the ledger posted the resale");
        (await fixture.Database.ScalarAsync<long>("""
            select -sum(e.amount) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.source_type = 'resale' and t.source_id = $1 and e.amount < 0 and e.account <> 'cash'
            """, resaleId.ToString())).Should().Be(3_500, "the split is of the agreed price");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0);
        using var mine = await Client.SendAsync(buyer, HttpMethod.Get, "/api/marketplace/offers/mine");
        (await mine.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().Text("status").Should().Be("accepted");
    }

    [Fact]
    public async Task The_seller_declines_or_accepts_an_offer_and_a_withdrawn_listing_voids_its_offers()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2");
        var kept = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 4_000 })).GetProperty("id").GetGuid();
        var withdrawn = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[1], price = 4_000 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();

        var first = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{kept}/offers", new { price = 2_500 })).GetProperty("id").GetGuid();
        (await fixture.PostAsync(seller, $"/api/marketplace/offers/{first}/decline", null, HttpStatusCode.OK)).Text("status").Should().Be("declined");
        using (var late = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{first}/accept"))
        {
            await late.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_not_open");
        }

        var onWithdrawn = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{withdrawn}/offers", new { price = 2_500 })).GetProperty("id").GetGuid();
        await fixture.PostAsync(seller, $"/api/marketplace/listings/{withdrawn}/withdraw", null, HttpStatusCode.OK);
        using (var voided = await Client.SendAsync(buyer, HttpMethod.Get, $"/api/marketplace/offers/{onWithdrawn}"))
        {
            (await voided.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("void");
        }

        using (var onClosed = await Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/listings/{withdrawn}/offers", new { price = 2_600 }))
        {
            await onClosed.ShouldBeProblemAsync(HttpStatusCode.Conflict, "listing_unavailable");
        }

        var second = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{kept}/offers", new { price = 3_000 })).GetProperty("id").GetGuid();
        var accepted = await fixture.PostAsync(seller, $"/api/marketplace/offers/{second}/accept", null, HttpStatusCode.Accepted);
        var resaleId = accepted.GetProperty("resaleId").GetGuid();
        using (var again = await Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{second}/accept"))
        {
            await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_not_open");
        }

        using var resale = await Client.SendAsync(buyer, HttpMethod.Get, $"/api/marketplace/resales/{resaleId}");
        var view = await resale.ShouldBeAsync(HttpStatusCode.OK);
        view.Text("role").Should().Be("buyer", "the offering buyer holds the listing");
        view.GetProperty("price").GetInt64().Should().Be(3_000);
        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.resales where listing_id = $1", kept)).Should().Be(1);
    }

    [Fact]
    public async Task Only_the_buyer_and_the_seller_see_or_answer_an_offer_others_get_404_and_change_nothing()
    {
        var (adminOfEvent, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-3"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 4_000 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        var offerId = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_000 })).GetProperty("id").GetGuid();
        var stranger = await fixture.SellerAsync();

        foreach (var intruder in new[] { stranger, adminOfEvent })
        {
            using (var read = await Client.SendAsync(intruder, HttpMethod.Get, $"/api/marketplace/offers/{offerId}"))
            {
                var problem = await read.ShouldBeProblemAsync(HttpStatusCode.NotFound, "offer_not_found");
                problem.Detail.Should().NotContain("3000");
            }

            foreach (var action in new[] { "accept", "decline", "withdraw" })
            {
                using var answer = await Client.SendAsync(intruder, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/{action}");
                await answer.ShouldBeProblemAsync(HttpStatusCode.NotFound, "offer_not_found");
            }

            using (var counter = await Client.SendAsync(intruder, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/counter", new { price = 3_900 }))
            {
                await counter.ShouldBeProblemAsync(HttpStatusCode.NotFound, "offer_not_found");
            }

            using (var listingOffers = await Client.SendAsync(intruder, HttpMethod.Get, $"/api/marketplace/listings/{listingId}/offers"))
            {
                await listingOffers.ShouldBeProblemAsync(HttpStatusCode.NotFound, "listing_not_found");
            }

            using var mine = await Client.SendAsync(intruder, HttpMethod.Get, "/api/marketplace/offers/mine");
            (await mine.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Should().BeEmpty();
        }

        using (var anonymous = await Client.GetAsync($"/api/marketplace/offers/{offerId}"))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using (var sellersView = await Client.SendAsync(seller, HttpMethod.Get, $"/api/marketplace/offers/{offerId}"))
        {
            (await sellersView.ShouldBeAsync(HttpStatusCode.OK)).Text("role").Should().Be("seller");
        }

        (await fixture.Database.ScalarAsync<string>("select status || ' ' || coalesce(counter_price, 0) from marketplace.offers where id = $1", offerId))
            .Should().Be("pending 0", "no intruder answered it");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", listingId)).Should().Be("active");
    }

    [Fact]
    public async Task Malformed_offers_and_counters_get_a_4xx_problem_never_a_500_and_change_nothing()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-4"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 4_000 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        var offerId = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_000 })).GetProperty("id").GetGuid();
        string[] bodies =
        [
            "", "{}", "null", "[]", "{\"price\":0}", "{\"price\":-1}", "{\"price\":\"3000\"}", "{\"price\":1.5}", "{\"price\":9223372036854775808}",
            "{\"price\":null}", "{\"price\":true}", "{\"price\":{}}", "{\"price\":3000", "{\"price\":\"\\u0000\"}", "{\"price\":1e400}",
            "{\"price\":" + new string('9', 5_000) + "}",
        ];
        var random = new Random(16);
        var generated = Enumerable.Range(0, 24).Select(_ =>
        {
            var bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            return "{\"price\":" + Encoding.Latin1.GetString(bytes) + "}";
        });

        foreach (var body in bodies.Concat(generated))
        {
            foreach (var (person, path) in new[] { (buyer, $"/api/marketplace/listings/{listingId}/offers"), (seller, $"/api/marketplace/offers/{offerId}/counter") })
            {
                using var request = person.Request(HttpMethod.Post, path);
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await Client.SendAsync(request);
                ((int)response.StatusCode).Should().BeInRange(400, 499, $"POST {path} with {body[..Math.Min(body.Length, 40)]} is the caller's mistake");
                response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
            }
        }

        (await fixture.Database.ScalarAsync<long>("select count(*) from marketplace.offers where listing_id = $1", listingId)).Should().Be(1);
        (await fixture.Database.ScalarAsync<string>("select status || ' ' || coalesce(counter_price, 0) from marketplace.offers where id = $1", offerId)).Should().Be("pending 0");
    }
}

/// <summary>A fake clock and offers that last two minutes (short, so that the fans' tokens stay valid when the clock moves past them).</summary>
public sealed class OfferExpiryFixture : FakeClockMarketplaceFixture
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Marketplace:OfferLifetime"] = "00:02:00",
    };
}

/// <summary>Offers expire by the clock (a fake one here): an open offer past its time cannot be answered, and its buyer may offer again.</summary>
public sealed class OfferExpiryTests(OfferExpiryFixture fixture) : IClassFixture<OfferExpiryFixture>
{
    [Fact]
    public async Task An_offer_not_answered_in_time_expires_cannot_be_accepted_and_makes_room_for_a_new_one()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = 4_000 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        var offerId = (await fixture.PostAsync(buyer, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_000 })).GetProperty("id").GetGuid();
        using (var twice = await fixture.Client.SendAsync(buyer, HttpMethod.Post, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_100 }))
        {
            await twice.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_exists");
        }

        fixture.Clock.Advance(OfferExpiryFixture.Lifetime + TimeSpan.FromSeconds(1));

        using (var read = await fixture.Client.SendAsync(seller, HttpMethod.Get, $"/api/marketplace/offers/{offerId}"))
        {
            (await read.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("expired");
        }

        using (var accept = await fixture.Client.SendAsync(seller, HttpMethod.Post, $"/api/marketplace/offers/{offerId}/accept"))
        {
            var problem = await accept.ShouldBeProblemAsync(HttpStatusCode.Conflict, "offer_not_open");
            problem.Title.Should().Contain("expired");
        }

        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", listingId)).Should().Be("active", "nothing was reserved");
        var again = await fixture.PostAsync(buyer, $"/api/marketplace/listings/{listingId}/offers", new { price = 3_200 });
        again.Text("status").Should().Be("pending");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.offers where id = $1", offerId)).Should().Be("expired");
    }
}
