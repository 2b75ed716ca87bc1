using TicketToken.Contracts.Marketplace;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>The marketplace's offer topic (issue 16 item 3): the side that did not act hears of it, read back from the real SMTP server.</summary>
public sealed class OfferMailTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [MailFact]
    public async Task An_offer_mails_the_seller_a_counter_and_an_acceptance_mail_the_buyer_and_a_declined_counter_mails_the_seller()
    {
        var seller = await fixture.Personas.FanAsync(Personas.NewEmail("reseller"));
        var buyer = await fixture.Personas.FanAsync(Personas.NewEmail("bidder"));
        var e = await fixture.AnnounceAsync(Sales.Event("Offer Night"));
        var (offerId, listingId, resaleId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;
        OfferChanged Change(string kind, Guid actor, long price, Guid? resale = null) =>
            new(offerId, listingId, e.EventId, e.OrganizerId, seller.UserId, buyer.UserId, actor, kind, price, 9_000, "EUR", now.AddDays(2), resale,
                resale is null ? null : now.AddMinutes(10), now);

        await fixture.PublishAsync(OfferChanged.Topic, Change(OfferChanged.Made, buyer.UserId, 7_000));
        var made = await fixture.MailAsync(seller.Email, m => m.Subject!.StartsWith("An offer of", StringComparison.Ordinal));
        made.Subject.Should().Contain("Offer Night").And.Contain("70");
        made.Text().Should().Contain($"/marketplace/offers/{offerId}").And.Contain("90");

        await fixture.PublishAsync(OfferChanged.Topic, Change(OfferChanged.Countered, seller.UserId, 8_000));
        var countered = await fixture.MailAsync(buyer.Email, m => m.Subject!.StartsWith("The seller answers your offer", StringComparison.Ordinal));
        countered.Subject.Should().Contain("80");

        await fixture.PublishAsync(OfferChanged.Topic, Change(OfferChanged.Declined, buyer.UserId, 8_000));
        var declined = await fixture.MailAsync(seller.Email, m => m.Subject == "The buyer declined your counter-offer for Offer Night");
        declined.Text().Should().Contain("stays on sale");

        await fixture.PublishAsync(OfferChanged.Topic, Change(OfferChanged.Accepted, seller.UserId, 7_000, resaleId));
        var accepted = await fixture.MailAsync(buyer.Email, m => m.Subject == "Your offer for Offer Night was accepted");
        accepted.Text().Should().Contain($"/marketplace/resales/{resaleId}").And.Contain("reserved for you");
    }
}
