using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>Buyer protection (issue 16 item 5): a cancelled event refunds its resale buyers out of escrow and withholds the sellers' payouts.</summary>
public sealed class CancelledEventTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    [Fact]
    public async Task Cancelling_an_event_refunds_its_resale_buyers_reverses_the_split_and_withholds_the_sellers_payout_even_once_due()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2");
        var sold = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[0], price = 4_000 })).GetProperty("id").GetGuid();
        var open = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId = tickets[1], price = 4_100 })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, sold);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.seller_payouts where resale_id = $1 and status = 'scheduled'", resaleId) == 1, "the seller's payout is scheduled");

        await fixture.PostAsync(admin, $"/api/events/{eventId}/cancel", new { reason = "The stage collapsed.", feePolicy = "refund" }, HttpStatusCode.OK);

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.journal_transactions where source_type = 'resale_refund' and source_id = $1", resaleId.ToString()) == 1,
            "the resale's split is reversed", TimeSpan.FromSeconds(90));
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.refunds where order_id = $1 and status = 'succeeded'", resaleId))
            .Should().Be(4_000, "the buyer gets the whole price back");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where order_id = $1", resaleId)).Should().Be(1, "refunded once");
        (await fixture.Database.ScalarAsync<bool>("select refunded_at is not null from marketplace.resales where id = $1", resaleId)).Should().BeTrue();
        using (var payouts = await fixture.Client.SendAsync(seller, HttpMethod.Get, "/api/payments/sellers/me/payouts"))
        {
            (await payouts.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().Text("status").Should().Be("withheld");
        }

        // Even once its due time has passed, a withheld payout is never paid.
        await fixture.Database.ExecuteAsync("update payments.seller_payouts set due_at = now() - interval '1 minute' where resale_id = $1", resaleId);
        await fixture.PostAsync(await fixture.Personas.PlatformAdminAsync(), "/api/payments/payouts/run", null, HttpStatusCode.OK);
        (await fixture.Database.ScalarAsync<string>("select status from payments.seller_payouts where resale_id = $1", resaleId)).Should().Be("withheld");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.simulated_objects where object = 'transfer'")).Should().Be(0);

        long Balance(string account) => fixture.Database.ScalarAsync<long>("""
            select coalesce(sum(e.amount), 0) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.source_type in ('resale', 'resale_refund') and t.source_id = $1 and e.account = $2
            """, resaleId.ToString(), account).GetAwaiter().GetResult();
        Balance($"seller_escrow:{seller.UserId:D}").Should().Be(0, "nothing is owed to the seller any more");
        Balance($"organizer_payable:{organizerId:D}").Should().Be(0, "the royalty went back too");
        Balance("platform_revenue").Should().Be(0, "so did the platform's fee");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0, "the ledger sums to zero");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", open)).Should().Be("withdrawn", "nothing of a cancelled event is for sale");
    }
}
