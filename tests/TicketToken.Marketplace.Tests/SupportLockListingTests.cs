using System.Net;
using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>Support's lock and the marketplace's lock share the ticket's one lock: a support-locked ticket cannot be listed, and a listed one cannot be support-locked.</summary>
public sealed class SupportLockListingTests(MarketplaceFixture fixture) : IClassFixture<MarketplaceFixture>
{
    private static readonly object CappedResale = new { allowed = true, priceCapPercent = 100, royaltyBasisPoints = 500 };

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_support_locked_ticket_cannot_be_listed_until_unlocked_and_a_listed_ticket_cannot_be_support_locked()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(CappedResale);
        var seller = await fixture.SellerAsync();
        var ticketId = (await fixture.BuyAsync(seller, eventId, "FLOOR-A-1"))[0];
        var cap = await fixture.OrderTotalAsync(ticketId);
        var support = $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}";

        using (var locked = await Client.SendAsync(admin, HttpMethod.Post, $"{support}/lock", new { note = "Chargeback dispute" }))
        {
            (await locked.ShouldBeAsync(HttpStatusCode.OK)).Text("lockReason").Should().Be("support");
        }

        using (var listing = await Client.SendAsync(seller, HttpMethod.Post, "/api/marketplace/listings", new { ticketId, price = cap }))
        {
            var problem = await listing.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_listable");
            problem.Detail.Should().Contain("locked by support");
        }

        (await fixture.Database.ScalarAsync<string>("select lock_reason from tickets.tickets where id = $1", ticketId)).Should().Be("support", "the refused listing left support's lock alone");
        using (var unlocked = await Client.SendAsync(admin, HttpMethod.Post, $"{support}/unlock", new { note = "Dispute settled" }))
        {
            await unlocked.ShouldBeAsync(HttpStatusCode.OK);
        }

        var listed = await fixture.PostAsync(seller, "/api/marketplace/listings", new { ticketId, price = cap });
        listed.GetProperty("id").GetGuid().Should().NotBeEmpty();
        using (var lockListed = await Client.SendAsync(admin, HttpMethod.Post, $"{support}/lock", new { note = "Second dispute" }))
        {
            var problem = await lockListed.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_locked");
            problem.Detail.Should().Contain("withdraws the listing");
        }

        (await fixture.Database.ScalarAsync<string>("select lock_reason from tickets.tickets where id = $1", ticketId)).Should().Be("listing");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.ticket_audit where ticket_id = $1", ticketId)).Should().Be(2, "a lock and an unlock; the refused lock is not audited");
    }
}
