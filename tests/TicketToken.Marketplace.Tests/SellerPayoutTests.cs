using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// Seller payouts that fall due (issue 16 item 2, ADR 0024): the payout run transfers each due share once, through
/// Stripe.net against the simulated gateway, and posts it out of escrow; a rerun after a crash between the transfer and
/// its record pays nothing twice; organizers see their events' seller payouts, others do not.
/// </summary>
public sealed class SellerPayoutTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    [Fact]
    public async Task A_due_seller_payout_is_transferred_once_posted_out_of_escrow_and_a_rerun_after_a_crash_pays_nothing_twice()
    {
        var operator_ = await fixture.Personas.PlatformAdminAsync();
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var tickets = await fixture.BuyAsync(seller, eventId, "FLOOR-A-1", "FLOOR-A-2");
        var resaleId = await SellAsync(seller, tickets[0], 4_000);
        var notYetDue = await SellAsync(seller, tickets[1], 3_000);
        var share = 4_000 - 4_000 * 500 / 10_000 - 4_000 * 250 / 10_000;

        // Due: the event and its escrow period are over for this payout (the clock is real, so the due time is moved instead).
        await fixture.Database.ExecuteAsync("update payments.seller_payouts set due_at = now() - interval '1 minute' where resale_id = $1", resaleId);
        var run = await fixture.PostAsync(operator_, "/api/payments/payouts/run", null, HttpStatusCode.OK);
        var paid = run.GetProperty("sellerPayouts").EnumerateArray().Single(p => p.GetProperty("resaleId").GetGuid() == resaleId);
        paid.Text("status").Should().Be("paid");
        paid.GetProperty("amount").GetInt64().Should().Be(share);
        var transferId = paid.Text("transferId");
        transferId.Should().StartWith("tr_");
        (await fixture.Database.ScalarAsync<string>("select status from payments.seller_payouts where resale_id = $1", notYetDue)).Should().Be("scheduled", "not due yet");

        // The state a crash leaves after the gateway made the transfer and before it was recorded: reserved, no transfer id.
        await fixture.Database.ExecuteAsync("update payments.seller_payouts set status = 'pending', transfer_id = null, completed_at = null where resale_id = $1", resaleId);
        await fixture.PostAsync(operator_, "/api/payments/payouts/run", null, HttpStatusCode.OK);
        await fixture.PostAsync(operator_, "/api/payments/payouts/run", null, HttpStatusCode.OK);

        (await fixture.Database.ScalarAsync<string>("select status || ' ' || transfer_id from payments.seller_payouts where resale_id = $1", resaleId))
            .Should().Be($"paid {transferId}", "the rerun repeated the transfer with the same key and got the same transfer back");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.simulated_objects where object = 'transfer' and body -> 'metadata' ->> 'resale_id' = $1",
            resaleId.ToString())).Should().Be(1, "the seller was paid once");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where source_type = 'seller_payout' and source_id = $1",
            resaleId.ToString())).Should().Be(1, "posted once");
        (await fixture.Database.ScalarAsync<long>("""
            select coalesce(sum(e.amount), 0) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.source_id = $1 and e.account = $2
            """, resaleId.ToString(), $"seller_escrow:{seller.UserId:D}")).Should().Be(0, "nothing of this resale is held for the seller any more");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0, "the ledger sums to zero");

        using (var mine = await fixture.Client.SendAsync(seller, HttpMethod.Get, "/api/payments/sellers/me/payouts"))
        {
            var items = (await mine.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
            items.Select(p => (p.GetProperty("resaleId").GetGuid(), p.Text("status"))).Should().BeEquivalentTo([(resaleId, "paid"), (notYetDue, "scheduled")]);
        }

        using (var organizers = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/seller-payouts?eventId={eventId}"))
        {
            var items = (await organizers.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
            items.Should().HaveCount(2);
            items.Should().OnlyContain(p => p.GetProperty("sellerId").GetGuid() == seller.UserId);
        }

        var (otherAdmin, _) = await fixture.Personas.OrganizerAdminAsync("Other Live");
        using (var other = await fixture.Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/seller-payouts"))
        {
            await other.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        }

        using (var fan = await fixture.Client.SendAsync(seller, HttpMethod.Get, $"/api/payments/organizers/{organizerId}/seller-payouts"))
        {
            fan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    private async Task<Guid> SellAsync(Person seller, Guid ticketId, long price)
    {
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, listingId);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await fixture.ResaleReachesAsync(buyer, resaleId, "completed");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.seller_payouts where resale_id = $1 and status = 'scheduled'", resaleId) == 1, "the seller's payout is scheduled");
        return resaleId;
    }
}
