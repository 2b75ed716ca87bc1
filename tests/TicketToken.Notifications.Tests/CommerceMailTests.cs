using System.Net;
using MimeKit;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// The topics of orders, tickets, inventory, scanning and catalog, each read back from the real SMTP server. Tickets are issued,
/// transferred, revoked and expired by the real tickets module; the PDF and wallet links come from the tickets documents stand-in.
/// </summary>
public sealed class CommerceMailTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [MailFact]
    public async Task A_confirmed_order_mails_the_receipt_with_every_ticket_in_one_pdf_and_its_wallet_links()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("buyer"));
        var e = await fixture.AnnounceAsync(Sales.Event("Harbour Sessions"));
        var order = Sales.Order(e, fan.UserId, seats: 2);
        var issued = await fixture.Issuer(order.OrderId).IssueAsync(order); // tickets.issued
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        await fixture.PublishAsync(OrderConfirmed.Topic, Sales.Confirmed(order));

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == $"Your tickets for Harbour Sessions (order {order.OrderNumber})");
        mail.Text().Should().Contain("110.00 EUR").And.Contain("Harbour Hall, Hamburg").And.Contain("(Europe/Berlin)");
        var pdf = mail.Attachments.OfType<MimePart>().Single();
        pdf.ContentType.MimeType.Should().Be("application/pdf");
        pdf.FileName.Should().Be($"tickets-{order.OrderNumber}.pdf", "the tickets module names the PDF after the order");
        using var bytes = new MemoryStream();
        await pdf.Content!.DecodeToAsync(bytes);
        bytes.ToArray().AsSpan(0, 5).ToArray().Should().Equal("%PDF-"u8.ToArray(), "the attachment is the PDF the tickets module made");
        foreach (var ticket in issued.Tickets)
        {
            // The links the tickets module signed for each ticket: the Apple one downloads that ticket's pass from this host.
            var apple = WalletLink(mail.Text(), "/api/tickets/apple-wallet/download/", ticket.TicketId, issued.Tickets);
            using var pass = await fixture.Client.GetAsync(new Uri(apple).PathAndQuery);
            pass.StatusCode.Should().Be(HttpStatusCode.OK, await pass.Content.ReadAsStringAsync());
            pass.Content.Headers.ContentType!.MediaType.Should().Be("application/vnd.apple.pkpass");
        }

        CountOf(mail.Text(), "https://pay.google.com/gp/v/save/").Should().Be(issued.Tickets.Count, "one Google Wallet link per ticket");
        CountOf(mail.Html(), "https://pay.google.com/gp/v/save/").Should().BeGreaterThanOrEqualTo(issued.Tickets.Count);
    }

    /// <summary>The i-th Apple Wallet link of the mail, for the i-th ticket (the e-mail lists them in the order's line order).</summary>
    private static string WalletLink(string text, string path, Guid ticketId, IReadOnlyList<IssuedTicket> tickets)
    {
        var links = System.Text.RegularExpressions.Regex.Matches(text, $@"https?://\S+{System.Text.RegularExpressions.Regex.Escape(path)}[A-Za-z0-9_-]+")
            .Select(m => m.Value).Distinct().ToList();
        links.Should().HaveCount(tickets.Count, "one Apple Wallet link per ticket");
        return links[tickets.ToList().FindIndex(t => t.TicketId == ticketId)];
    }

    private static int CountOf(string text, string value) => System.Text.RegularExpressions.Regex.Count(text, System.Text.RegularExpressions.Regex.Escape(value));

    [MailFact]
    public async Task An_order_that_ended_unpaid_is_explained()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("unpaid"));
        var e = await fixture.AnnounceAsync(Sales.Event("Dockside Jazz"));

        await fixture.PublishAsync(OrderEnded.Topic, new OrderEnded(Guid.NewGuid(), "TT-UNPAID01", fan.UserId, e.EventId, "expired", "payment_not_received", DateTimeOffset.UtcNow));

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Your order TT-UNPAID01 was not completed");
        mail.Text().Should().Contain("Dockside Jazz was expired: no payment arrived before the seats' hold ran out");
    }

    [MailFact]
    public async Task A_refund_is_confirmed_and_the_revoked_tickets_are_listed()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("refund"));
        var e = await fixture.AnnounceAsync(Sales.Event("Quay Night"));
        var order = Sales.Order(e, fan.UserId, seats: 2);
        await fixture.Issuer(order.OrderId).IssueAsync(order);
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        await fixture.PublishAsync(OrderConfirmed.Topic, Sales.Confirmed(order));
        await fixture.MailAsync(fan.Email, m => m.Subject!.StartsWith("Your tickets", StringComparison.Ordinal));

        await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, [2], RevokeTickets.Refunded)); // tickets.revoked
        await fixture.PublishAsync(OrderRefunded.Topic, new OrderRefunded(order.OrderId, order.OrderNumber, Guid.NewGuid(), e.OrganizerId, e.EventId, "EUR",
            new OrderAmounts(4_900, 0, 600, 0, 5_500), DateTimeOffset.UtcNow));

        var refunded = await fixture.MailAsync(fan.Email, m => m.Subject == $"Refund for your order {order.OrderNumber}");
        refunded.Text().Should().Contain("55.00 EUR");
        var revoked = await fixture.MailAsync(fan.Email, m => m.Subject == "1 of your tickets for Quay Night no longer admit");
        revoked.Text().Should().Contain($"Standard: section {order.Lines[1].Section}, row C, seat 2").And.Contain("were refunded");
    }

    [MailFact]
    public async Task When_an_event_is_over_each_holder_hears_how_many_of_their_tickets_expired()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("expiry"));
        var e = Sales.Event("Last Night", startsAt: DateTimeOffset.UtcNow.AddHours(-3), endsAt: DateTimeOffset.UtcNow.AddSeconds(1));
        var order = Sales.Order(e, fan.UserId, seats: 3);
        await fixture.Issuer(order.OrderId).IssueAsync(order);
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        await fixture.AnnounceAsync(e); // the tickets module expires them one second after the end (ExpiryGrace)

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Last Night is over");
        mail.Text().Should().Contain("3 of your tickets for it were never used");
    }

    [MailFact]
    public async Task A_gift_mails_its_code_to_the_recipient_who_accepts_with_it_and_gets_the_ticket_while_the_sender_hears_it_arrived()
    {
        var sender = await fixture.Personas.FanAsync(Personas.NewEmail("giver"));
        var friend = await fixture.Personas.FanAsync(Personas.NewEmail("friend"));
        var e = await fixture.AnnounceAsync(Sales.Event("Gift Gala"));
        var order = Sales.Order(e, sender.UserId, seats: 1);
        var ticket = (await fixture.Issuer(order.OrderId).IssueAsync(order)).Tickets[0].TicketId;
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        var transfer = await fixture.Client.SendOkAsync(sender, HttpMethod.Post, $"/api/tickets/{ticket}/transfers", new { recipientEmail = friend.Email, message = "Enjoy!" },
            HttpStatusCode.Created);

        var offer = await fixture.MailAsync(friend.Email, m => m.Subject!.Contains("sends you a ticket for Gift Gala", StringComparison.Ordinal));
        offer.Text().Should().Contain("\"Enjoy!\"");
        var code = transfer.GetProperty("acceptanceCode").GetString()!;
        offer.Text().Should().Contain(code, "the code the sender was shown is the one the recipient gets");
        await fixture.Client.SendOkAsync(friend, HttpMethod.Post, $"/api/transfers/{transfer.GetProperty("id").GetGuid()}/accept", new { acceptanceCode = code });
        var received = await fixture.MailAsync(friend.Email, m => m.Subject == "Your ticket for Gift Gala");
        received.Attachments.OfType<MimePart>().Should().ContainSingle(p => p.ContentType.MimeType == "application/pdf");
        // The tickets module makes documents only of the holder's own active tickets: a PDF at all means it was the friend's.
        received.Text().Should().Contain("/api/tickets/apple-wallet/download/").And.Contain("https://pay.google.com/gp/v/save/");
        var accepted = await fixture.MailAsync(sender.Email, m => m.Subject == "Your gift for Gift Gala was accepted");
        accepted.Text().Should().Contain("the codes you had for it no longer admit");
    }

    [MailFact]
    public async Task A_box_office_sale_mails_its_tickets_to_the_address_given_at_the_counter()
    {
        var clerk = await fixture.Personas.FanAsync(Personas.NewEmail("clerk"));
        var walkIn = Personas.NewEmail("walk-in");
        var e = await fixture.AnnounceAsync(Sales.Event("Door Sale Night"));
        var order = Sales.Order(e, clerk.UserId, seats: 1);
        await fixture.Issuer(order.OrderId).IssueAsync(order);
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        await fixture.PublishAsync(OrderConfirmed.Topic, Sales.Confirmed(order) with { PaymentMethod = CounterPaymentMethods.Cash, MailTo = walkIn });

        var mail = await fixture.MailAsync(walkIn, m => m.Subject == $"Your tickets for Door Sale Night (order {order.OrderNumber})");
        mail.Attachments.OfType<MimePart>().Should().ContainSingle(p => p.ContentType.MimeType == "application/pdf", "the clerk's tickets go to the buyer's address");
    }

    [MailFact]
    public async Task A_reissued_ticket_is_mailed_to_its_holder_with_the_new_code()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("lost"));
        var e = await fixture.AnnounceAsync(Sales.Event("Reissue Revue"));
        var order = Sales.Order(e, fan.UserId, seats: 1);
        var ticket = (await fixture.Issuer(order.OrderId).IssueAsync(order)).Tickets[0].TicketId;
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        await fixture.PublishAsync(TicketReissued.Topic, new TicketReissued(Guid.NewGuid(), ticket, order.EventId, order.OrganizerId, fan.UserId, 2, "stolen", DateTimeOffset.UtcNow));

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Your ticket for Reissue Revue was reissued");
        mail.Text().Should().Contain("(stolen)").And.Contain("no longer admits anyone");
        mail.Attachments.OfType<MimePart>().Should().ContainSingle(p => p.ContentType.MimeType == "application/pdf");
    }

    [MailFact]
    public async Task A_waitlist_offer_names_the_held_seats_and_the_deadline()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("waiting"));
        var e = await fixture.AnnounceAsync(Sales.Event("Sold Out Show"));
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds());

        await fixture.PublishAsync(WaitlistOffered.Topic, new WaitlistOffered(e.EventId, fan.UserId, Guid.NewGuid(),
            [new HeldSeat("STALLS-B-4", "STALLS", "B", "4", "STANDARD"), new HeldSeat("STALLS-B-5", "STALLS", "B", "5", "STANDARD")], expires));

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Seats for Sold Out Show are held for you");
        mail.Text().Should().Contain("section STALLS, row B, seat 4").And.Contain("section STALLS, row B, seat 5")
            .And.Contain(TimeZoneInfo.ConvertTime(expires, TimeZoneInfo.Utc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
    }

    [MailFact]
    public async Task An_entry_conflict_goes_to_the_organizers_admins()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Pier Stage"); // identity.membership-changed
        var e = await fixture.AnnounceAsync(Sales.Event("Pier Party", organizerId));
        var at = DateTimeOffset.UtcNow;

        await fixture.PublishAsync(EntryConflictDetected.Topic, new EntryConflictDetected(e.EventId, organizerId, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), at,
            "duplicate_scan", Guid.NewGuid(), Guid.NewGuid(), at.AddMinutes(-5), at));

        var mail = await fixture.MailAsync(admin.Email, m => m.Subject == "Entry conflict at Pier Party");
        mail.Text().Should().Contain("(duplicate scan)").And.Contain($"/api/scanning/events/{e.EventId}/conflicts");
    }

    [MailFact]
    public async Task A_cancelled_event_is_announced_to_every_holder()
    {
        var first = await fixture.Personas.FanAsync(Personas.NewEmail("holder"));
        var second = await fixture.Personas.FanAsync(Personas.NewEmail("holder"));
        var e = await fixture.AnnounceAsync(Sales.Event("Rained Off"));
        foreach (var fan in new[] { first, second })
        {
            var order = Sales.Order(e, fan.UserId, seats: 1);
            await fixture.Issuer(order.OrderId).IssueAsync(order);
            await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        }

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from notifications.tickets where event_id = $1", e.EventId) == 2,
            "notifications knows the tickets");
        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(e.EventId, e.OrganizerId, "storm warning", DateTimeOffset.UtcNow));

        foreach (var fan in new[] { first, second })
        {
            var mail = await fixture.MailAsync(fan.Email, m => m.Subject == "Rained Off is cancelled");
            mail.Text().Should().Contain("(storm warning)");
        }
    }

    [MailFact]
    public async Task A_rescheduled_event_and_new_venue_details_are_announced_to_every_holder_in_their_language()
    {
        var english = await fixture.Personas.FanAsync(Personas.NewEmail("moved"));
        var german = await fixture.Personas.FanAsync(Personas.NewEmail("verlegt"));
        await fixture.Client.SendOkAsync(german, HttpMethod.Put, "/api/notifications/me/preferences", new { language = "de", marketing = false });
        var e = await fixture.AnnounceAsync(Sales.Event("Harbour Lights"));
        foreach (var fan in new[] { english, german })
        {
            var order = Sales.Order(e, fan.UserId, seats: 1);
            await fixture.Issuer(order.OrderId).IssueAsync(order);
            await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        }

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from notifications.tickets where event_id = $1", e.EventId) == 2,
            "notifications knows the tickets");
        var now = DateTimeOffset.UtcNow;
        var moved = e with
        {
            Version = 2, StartsAt = e.StartsAt.AddDays(7), EndsAt = e.EndsAt.AddDays(7),
            Change = new EventChange(EventChange.Rescheduled, now, "storm warning") { PreviousStartsAt = e.StartsAt, RefundUntil = now.AddDays(14) },
        };
        await fixture.PublishAsync(EventPublished.Topic, moved);
        await fixture.PublishAsync(EventPublished.Topic, moved with
        {
            Version = 3, VenueName = "Harbour Hall, side entrance", VenueAddress = "Kai 2, 20457 Hamburg", Change = new EventChange(EventChange.VenueDetails, now, null),
        });

        var movedMail = await fixture.MailAsync(english.Email, m => m.Subject!.StartsWith("Harbour Lights has moved to", StringComparison.Ordinal));
        movedMail.Text().Should().Contain("(storm warning)").And.Contain("refunded in full until");
        var verlegt = await fixture.MailAsync(german.Email, m => m.Subject!.Contains("verlegt", StringComparison.Ordinal));
        verlegt.Text().Should().Contain("vollständig erstatten lassen");
        var venue = await fixture.MailAsync(english.Email, m => m.Subject == "Harbour Lights: new venue details");
        venue.Text().Should().Contain("Harbour Hall, side entrance, Kai 2, 20457 Hamburg");
        await fixture.MailAsync(german.Email, m => m.Subject == "Harbour Lights: neue Angaben zum Veranstaltungsort");
    }

    [MailFact]
    public async Task The_same_event_delivered_twice_sends_one_message()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("twice"));
        var e = await fixture.AnnounceAsync(Sales.Event("Echo Night"));
        var ended = new OrderEnded(Guid.NewGuid(), "TT-TWICE001", fan.UserId, e.EventId, "cancelled", null, DateTimeOffset.UtcNow);
        var id = Guid.NewGuid().ToString();

        await fixture.PublishAsync(OrderEnded.Topic, ended, id);
        await fixture.PublishAsync(OrderEnded.Topic, ended, id);
        await fixture.PublishAsync(OrderEnded.Topic, ended with { OrderNumber = "TT-OTHER001" }); // another event: another message

        await fixture.MailAsync(fan.Email, m => m.Subject!.Contains("TT-OTHER001", StringComparison.Ordinal));
        await fixture.MailAsync(fan.Email, m => m.Subject!.Contains("TT-TWICE001", StringComparison.Ordinal));
        (await fixture.CountMessagesAsync("order-ended", fan.UserId)).Should().Be(2);
        fixture.Mailbox.To(fan.Email).Count(m => m.Subject!.Contains("TT-TWICE001", StringComparison.Ordinal)).Should().Be(1);
    }

    [MailFact]
    public async Task A_message_for_someone_identity_has_not_announced_yet_waits_for_their_address()
    {
        var userId = Guid.NewGuid();
        var email = Personas.NewEmail("late");
        var e = await fixture.AnnounceAsync(Sales.Event("Out Of Order"));

        await fixture.PublishAsync(OrderEnded.Topic, new OrderEnded(Guid.NewGuid(), "TT-LATE0001", userId, e.EventId, "cancelled", null, DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<int?>(
            "select attempts from notifications.messages where recipient_user_id = $1 and template = 'order-ended'", userId) >= 1, "the message was tried");
        await fixture.PublishAsync(UserRegistered.Topic, new UserRegistered(userId, email, "Late Larry", DateTimeOffset.UtcNow));

        var mail = await fixture.MailAsync(email, m => m.Subject == "Your order TT-LATE0001 was not completed");
        mail.Text().Should().StartWith("Hello Late Larry,");
    }
}
