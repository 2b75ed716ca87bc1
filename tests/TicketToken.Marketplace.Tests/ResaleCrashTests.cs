using System.Net;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// The real host executable killed with SIGKILL between the buyer's payment and the reissue: the fault injection point
/// (<c>StallBeforeReissue</c>) holds every resale right after its payment is recorded and before the ticket changes hands,
/// so the kill lands there by construction, not by timing.
/// </summary>
public sealed class ResaleCrashTests(CrashMarketplaceFixture fixture) : IClassFixture<CrashMarketplaceFixture>
{
    private const long Price = 4_000;

    [Fact]
    public async Task A_kill_between_the_buyers_payment_and_the_reissue_ends_with_the_ticket_or_a_refund_never_both_or_neither()
    {
        await fixture.KillAsync();
        await fixture.StartAsync(new Dictionary<string, string?> { ["TicketToken:Marketplace:StallBeforeReissue"] = "true" });
        var (_, _, eventId) = await fixture.OnSaleEventAsync(new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 });
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var listingId = (await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = Price })).GetProperty("id").GetGuid();
        var buyer = await fixture.Personas.FanAsync();
        using var purchase = await fixture.PurchaseAsync(buyer, listingId);
        var resaleId = (await purchase.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.PayResaleAsync(buyer, resaleId);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string>("select status from marketplace.resales where id = $1", resaleId) == "paid"
            && await fixture.Database.ScalarAsync<string>("select status from payments.payments where order_id = $1", resaleId) == "succeeded",
            "the buyer's money came in and the resale recorded it", TimeSpan.FromSeconds(90));
        (await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketId)).Should().Be(seller.UserId, "the kill lands before the reissue");
        (await fixture.Database.ScalarAsync<int>("select secret_version from tickets.tickets where id = $1", ticketId)).Should().Be(1);

        await fixture.KillAsync();
        await fixture.StartAsync();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string>("select status from marketplace.resales where id = $1", resaleId) is "completed" or "failed",
            "the resale resumed after the restart and ended", TimeSpan.FromMinutes(3));

        var owner = await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketId);
        var refunded = await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.refunds where order_id = $1 and status = 'succeeded'", resaleId);
        var hasTicket = owner == buyer.UserId;
        hasTicket.Should().NotBe(refunded == Price, "the buyer ends with the ticket or the money back, never both or neither");
        refunded.Should().BeOneOf(0, Price);
        hasTicket.Should().BeTrue("nothing stops the reissue once the host is back, so the sale completes");
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.resales where id = $1", resaleId)).Should().Be("completed");
        (await fixture.Database.ScalarAsync<int>("select secret_version from tickets.tickets where id = $1", ticketId)).Should().Be(2, "reissued once: the seller's codes die");
        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue();
        (await fixture.Database.ScalarAsync<string>("select status from marketplace.listings where id = $1", listingId)).Should().Be("sold");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from payments.seller_payouts where resale_id = $1 and status = 'scheduled'", resaleId) == 1, "the seller's payout is scheduled");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where source_type = 'resale' and source_id = $1", resaleId.ToString()))
            .Should().Be(1, "the split is posted once");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0, "the ledger sums to zero");
    }
}
