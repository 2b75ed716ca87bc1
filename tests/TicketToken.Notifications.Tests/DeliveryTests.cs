using System.Net;
using MimeKit;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// What happens between the queue and the inbox: SMTP down (the server is really stopped), the tickets' documents unavailable,
/// preferences (language, marketing) and the record support and fans read. Its own fixture, since it stops the mail server.
/// </summary>
public sealed class DeliveryTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [MailFact]
    public async Task While_the_smtp_server_is_down_messages_wait_and_retry_and_go_out_once_it_is_back()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("patient"));
        await fixture.MailAsync(fan.Email);
        await fixture.Mailbox.StopAsync();
        try
        {
            using var forgot = await fixture.Client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
            forgot.StatusCode.Should().Be(HttpStatusCode.Accepted);

            await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<int?>(
                "select attempts from notifications.messages where recipient_user_id = $1 and template = 'password-reset' and status = 'queued'", fan.UserId) >= 2,
                "the reset mail was tried at least twice while the server was down");
            (await fixture.Database.ScalarAsync<string>("select last_error from notifications.messages where recipient_user_id = $1 and template = 'password-reset'", fan.UserId))
                .Should().Contain($"SMTP server 127.0.0.1:{fixture.Mailbox.Port} unavailable");
            fixture.Mailbox.To(fan.Email).Should().NotContain(m => m.Subject == "Reset your TicketToken password");
        }
        finally
        {
            await fixture.Mailbox.StartAsync();
        }

        await fixture.MailAsync(fan.Email, m => m.Subject == "Reset your TicketToken password");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string>(
            "select status from notifications.messages where recipient_user_id = $1 and template = 'password-reset'", fan.UserId) == "sent", "the message is recorded as sent");
        (await fixture.Database.ScalarAsync<string?>("select last_error from notifications.messages where recipient_user_id = $1 and template = 'password-reset'", fan.UserId))
            .Should().BeNull();
    }

    [MailFact]
    public async Task A_confirmation_whose_ticket_documents_cannot_be_made_waits_and_goes_out_with_them_later()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("docs"));
        var e = await fixture.AnnounceAsync(Sales.Event("Paper Tigers"));
        var order = Sales.Order(e, fan.UserId, seats: 1);
        await fixture.Issuer(order.OrderId).IssueAsync(order);
        await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        // The tickets module's documents fail for real: the table of holders' names they are made with is gone for a while.
        await fixture.Database.ExecuteAsync("alter table tickets.holders rename to holders_away");
        try
        {
            await fixture.PublishAsync(OrderConfirmed.Topic, Sales.Confirmed(order));

            await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string?>(
                "select last_error from notifications.messages where recipient_user_id = $1 and template = 'order-confirmation' and status = 'queued'", fan.UserId)
                is { } error && error.Contains("could not make the ticket documents", StringComparison.Ordinal), "the confirmation was tried while the documents failed");
            fixture.Mailbox.To(fan.Email).Should().NotContain(m => m.Subject!.StartsWith("Your tickets", StringComparison.Ordinal), "never without its tickets");
        }
        finally
        {
            await fixture.Database.ExecuteAsync("alter table tickets.holders_away rename to holders");
        }

        var mail = await fixture.MailAsync(fan.Email, m => m.Subject!.StartsWith("Your tickets for Paper Tigers", StringComparison.Ordinal));
        mail.Attachments.OfType<MimePart>().Should().ContainSingle(p => p.ContentType!.MimeType == "application/pdf");
    }

    [MailFact]
    public async Task Marketing_goes_only_to_fans_who_opted_in_and_transactional_mail_goes_regardless()
    {
        var keen = await fixture.Personas.FanAsync(Personas.NewEmail("keen"));
        var quiet = await fixture.Personas.FanAsync(Personas.NewEmail("quiet"));
        var organizerId = Guid.NewGuid();
        var past = await fixture.AnnounceAsync(Sales.Event("First Show", organizerId));
        foreach (var fan in new[] { keen, quiet })
        {
            var order = Sales.Order(past, fan.UserId, seats: 1);
            await fixture.Issuer(order.OrderId).IssueAsync(order);
            await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        }

        (await fixture.Client.SendOkAsync(keen, HttpMethod.Get, "/api/notifications/me/preferences")).GetProperty("marketing").GetBoolean()
            .Should().BeFalse("nobody receives marketing without asking for it");
        await fixture.Client.SendOkAsync(keen, HttpMethod.Put, "/api/notifications/me/preferences", new { language = "en", marketing = true });
        await fixture.Client.SendOkAsync(quiet, HttpMethod.Put, "/api/notifications/me/preferences", new { language = "en", marketing = false });
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from notifications.tickets where event_id = $1", past.EventId) == 2,
            "notifications knows both fans held tickets of the organizer");

        await fixture.AnnounceAsync(Sales.Event("Second Show", organizerId));
        await fixture.PublishAsync(OrderEnded.Topic, new OrderEnded(Guid.NewGuid(), "TT-QUIET001", quiet.UserId, past.EventId, "cancelled", null, DateTimeOffset.UtcNow));

        var news = await fixture.MailAsync(keen.Email, m => m.Subject == "New: Second Show");
        news.Text().Should().Contain("Opt out at https://tickets.example.test/settings/notifications");
        await fixture.MailAsync(quiet.Email, m => m.Subject == "Your order TT-QUIET001 was not completed");
        (await fixture.CountMessagesAsync("new-event", quiet.UserId)).Should().Be(0);
        fixture.Mailbox.To(quiet.Email).Should().NotContain(m => m.Subject == "New: Second Show");
    }

    [MailFact]
    public async Task Mail_is_written_in_the_language_the_fan_chose_and_in_english_where_a_template_has_no_translation()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("deutsch"));
        await fixture.MailAsync(fan.Email);
        await fixture.Client.SendOkAsync(fan, HttpMethod.Put, "/api/notifications/me/preferences", new { language = "de", marketing = false });

        using var forgot = await fixture.Client.PostJsonAsync("/api/auth/password/forgot", new { email = fan.Email });
        var reset = await fixture.MailAsync(fan.Email, m => m.Subject == "Ihr TicketToken-Passwort zurücksetzen");
        reset.Text().Should().Contain("Er gilt einmal, bis");
        reset.Html().Should().Contain("<html lang=\"de\">");
        await fixture.Client.SendOkAsync(fan, HttpMethod.Post, "/api/me/deactivate", new { password = Personas.DefaultPassword }, HttpStatusCode.NoContent);
        await fixture.MailAsync(fan.Email, m => m.Subject == "Your TicketToken account was deactivated");
    }

    [MailFact]
    public async Task A_fan_lists_only_their_own_messages_and_support_finds_them_by_address()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("lister"));
        var other = await fixture.Personas.FanAsync(Personas.NewEmail("lister"));
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Support Hall");
        var (otherAdmin, _) = await fixture.Personas.OrganizerAdminAsync("Elsewhere");
        var platform = await fixture.Personas.PlatformAdminAsync();
        var e = await fixture.AnnounceAsync(Sales.Event("Listed", organizerId));
        await fixture.PublishAsync(OrderEnded.Topic, new OrderEnded(Guid.NewGuid(), "TT-LIST0001", fan.UserId, e.EventId, "cancelled", null, DateTimeOffset.UtcNow));
        await fixture.MailAsync(fan.Email, m => m.Subject!.Contains("TT-LIST0001", StringComparison.Ordinal));
        await fixture.MailAsync(other.Email);

        var mine = await fixture.Client.SendOkAsync(fan, HttpMethod.Get, "/api/notifications/me/messages");
        var items = mine.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("template").GetString()).Should().BeEquivalentTo(["order-ended", "welcome"]);
        items.Should().OnlyContain(i => i.GetProperty("recipientEmail").GetString() == fan.Email);
        await Eventually.AssertAsync(async () =>
            (await fixture.Client.SendOkAsync(fan, HttpMethod.Get, "/api/notifications/me/messages")).GetProperty("items").EnumerateArray()
                .Should().OnlyContain(i => i.GetProperty("status").GetString() == "sent" && i.GetProperty("subject").GetString()!.Length > 0));

        var support = await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/messages?email={Uri.EscapeDataString(fan.Email)}");
        support.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("template").GetString()).Should().Equal("order-ended");
        using var foreign = await fixture.Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/messages");
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Problem.ReadAsync(foreign)).Code.Should().Be("organizer_not_found");
        var everything = await fixture.Client.SendOkAsync(platform, HttpMethod.Get, $"/api/notifications/messages?email={Uri.EscapeDataString(other.Email)}&status=sent");
        everything.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("template").GetString()).Should().Equal("welcome");
        using var bad = await fixture.Client.SendAsync(platform, HttpMethod.Get, "/api/notifications/messages?status=lost");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [MailFact]
    public async Task Preferences_refuse_what_they_do_not_know_with_a_problem()
    {
        var fan = await fixture.Personas.FanAsync(Personas.NewEmail("picky"));

        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Put, "/api/notifications/me/preferences", new { language = "tlh", marketing = true });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Problem.ReadAsync(response)).Code.Should().Be("validation_failed");
    }
}
