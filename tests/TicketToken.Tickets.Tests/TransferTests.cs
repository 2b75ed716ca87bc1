using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests;

/// <summary>Gifts through the API: the ticket moves to whoever accepts with the code, and the giver's codes die with the old secret version.</summary>
public sealed class TransferTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private const int StepSeconds = TicketCode.DefaultStepSeconds;

    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_gift_moves_the_ticket_to_the_recipient_with_a_new_secret_and_tells_everyone()
    {
        var (alice, ticketId, eventId) = await ActiveTicketAsync();
        var bob = await fixture.Personas.FanAsync();
        var aliceSecret = await OfflineSecretAsync(alice, ticketId);

        var started = await StartAsync(alice, ticketId, bob.Email.ToUpperInvariant(), "Have fun!");
        var code = started.Text("acceptanceCode");
        var beforeAcceptance = await Client.GetOkAsync(bob, "/api/transfers");
        var accepted = await AcceptAsync(bob, started.Id(), code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        var retried = await AcceptAsync(bob, started.Id(), code);

        started.Text("status").Should().Be("pending");
        started.Text("direction").Should().Be("sent");
        started.Text("recipientEmail").Should().Be(bob.Email.ToLowerInvariant());
        started.Text("message").Should().Be("Have fun!");
        started.GetProperty("expiresAt").GetDateTimeOffset().Should().Be(started.GetProperty("createdAt").GetDateTimeOffset().AddHours(48));
        code.Should().MatchRegex("^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$");
        beforeAcceptance.Ids().Should().BeEmpty("the token names nobody by e-mail: a transfer is the recipient's once they accept it");
        accepted.Text("status").Should().Be("accepted");
        accepted.Text("direction").Should().Be("received");
        accepted.GetProperty("acceptanceCode").ValueKind.Should().Be(JsonValueKind.Null, "the code is shown to the sender once, when it is made");
        retried.Text("status").Should().Be("accepted", "accepting again (a retry) answers the same");

        // The ticket is Bob's, the same ticket, with the next secret version; Alice no longer has it.
        await (await Client.GetAsync(alice, $"/api/tickets/{ticketId}")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        await (await Client.GetAsync(alice, $"/api/tickets/{ticketId}/offline")).ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        (await Client.GetOkAsync(bob, $"/api/tickets/{ticketId}")).Text("status").Should().Be(TicketStatuses.Active);
        var bobOffline = await Client.GetOkAsync(bob, $"/api/tickets/{ticketId}/offline");
        bobOffline.GetProperty("secretVersion").GetInt32().Should().Be(2);
        var bobSecret = Base64Url.DecodeFromChars(bobOffline.Text("secret"));
        bobSecret.Should().NotEqual(aliceSecret);

        // What scanning checks with: the event key derives Alice's secret from version 1 and Bob's from version 2.
        var key = (await fixture.EntryKeys(eventId).GetAsync())!;
        TicketCode.DeriveSecret(key.Key, ticketId, 1).Should().Equal(aliceSecret);
        TicketCode.DeriveSecret(key.Key, ticketId, 2).Should().Equal(bobSecret);
        var now = DateTimeOffset.UtcNow;
        TicketCode.Verify(TicketCode.Current(ticketId, aliceSecret, now, StepSeconds), bobSecret, now, StepSeconds).Result.Should().Be(TicketCodeResult.BadMac);

        // Both lists, each from its side; a third fan sees nothing.
        var sent = (await Client.GetOkAsync(alice, "/api/transfers")).GetProperty("items").EnumerateArray().Single();
        (sent.Text("direction"), sent.Text("status")).Should().Be(("sent", "accepted"));
        (await Client.GetOkAsync(bob, "/api/transfers?direction=received")).Ids().Should().Equal(started.Id());
        (await Client.GetOkAsync(bob, "/api/transfers?direction=sent")).Ids().Should().BeEmpty();
        (await Client.GetOkAsync(await fixture.Personas.FanAsync(), "/api/transfers")).Ids().Should().BeEmpty();

        var transferred = await fixture.Events.WaitForAsync(TicketTransferred.Topic, e => e.GetProperty("transferId").GetGuid() == started.Id());
        (transferred.GetProperty("ticketId").GetGuid(), transferred.GetProperty("eventId").GetGuid()).Should().Be((ticketId, eventId));
        (transferred.GetProperty("senderId").GetGuid(), transferred.GetProperty("recipientId").GetGuid()).Should().Be((alice.UserId, bob.UserId));
        var changes = await fixture.ChangesUpToAsync(ticketId, 3);
        changes.Select(c => c.Sequence).Should().Equal(1, 2, 3);
        changes.Select(c => (c.Status, c.OwnerId, c.SecretVersion)).Should().Equal(
            (TicketStatuses.Issued, alice.UserId, 1), (TicketStatuses.Active, alice.UserId, 1), (TicketStatuses.Active, bob.UserId, 2));
        (await fixture.Database.ScalarAsync<long>("select version from tickets.tickets where id = $1", ticketId)).Should().Be(3);
    }

    [ToolFact("zbarimg", "zbar-tools")]
    public async Task The_qr_code_shown_before_the_gift_is_made_with_the_old_secret_and_fails_against_the_new_one()
    {
        var (alice, ticketId, _) = await ActiveTicketAsync();
        var bob = await fixture.Personas.FanAsync();
        using var before = await Client.GetAsync(alice, $"/api/tickets/{ticketId}/qr");
        var oldPayload = await QrCodes.DecodeAsync(await before.Content.ReadAsByteArrayAsync());
        var oldExpires = DateTimeOffset.Parse(before.Headers.GetValues("X-Code-Expires").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var aliceSecret = await OfflineSecretAsync(alice, ticketId);

        var started = await StartAsync(alice, ticketId, bob.Email);
        await AcceptAsync(bob, started.Id(), started.Text("acceptanceCode"));
        using var after = await Client.GetAsync(bob, $"/api/tickets/{ticketId}/qr");
        var newPayload = await QrCodes.DecodeAsync(await after.Content.ReadAsByteArrayAsync());
        var newExpires = DateTimeOffset.Parse(after.Headers.GetValues("X-Code-Expires").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var bobSecret = await OfflineSecretAsync(bob, ticketId);
        using var aliceAfter = await Client.GetAsync(alice, $"/api/tickets/{ticketId}/qr");

        TotpCode.Current(ticketId, aliceSecret, oldExpires.AddSeconds(-1), StepSeconds).Should().Be(oldPayload, "it was made with secret version 1");
        EntryCodes.TryParse(oldPayload, out var oldCode).Should().BeTrue();
        EntryCodes.IsMadeWith(oldCode, bobSecret, StepSeconds).Should().BeFalse("a screenshot from before the gift admits nobody");
        TotpCode.Current(ticketId, bobSecret, newExpires.AddSeconds(-1), StepSeconds).Should().Be(newPayload);
        EntryCodes.TryParse(newPayload, out var newCode).Should().BeTrue();
        EntryCodes.IsMadeWith(newCode, aliceSecret, StepSeconds).Should().BeFalse();
        await aliceAfter.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
    }

    [Fact]
    public async Task Starting_a_transfer_is_refused_for_tickets_that_are_not_yours_not_active_already_on_their_way_or_past_the_deadline()
    {
        var (alice, ticketId, _) = await ActiveTicketAsync();
        var bob = await fixture.Personas.FanAsync();
        var unconfirmed = (await fixture.IssueAsync(TestOrders.Order((await AnnounceAsync()).EventId, alice.UserId, seats: 1), activate: false)).Tickets[0].TicketId;
        var started = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddMinutes(-30), endsAt: DateTimeOffset.UtcNow.AddHours(2)));
        var tonight = (await fixture.IssueAsync(TestOrders.Order(started.EventId, alice.UserId, seats: 1))).Tickets[0].TicketId;

        await Refused(bob, ticketId, HttpStatusCode.NotFound, "ticket_not_found", "another fan's ticket is answered like none");
        await Refused(alice, Guid.NewGuid(), HttpStatusCode.NotFound, "ticket_not_found");
        await Refused(alice, unconfirmed, HttpStatusCode.Conflict, "ticket_not_transferable");
        await Refused(alice, tonight, HttpStatusCode.Conflict, "transfer_deadline_passed");
        using (var bad = await Client.SendAsync(alice, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = "not an address" }))
        {
            await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        await StartAsync(alice, ticketId, bob.Email);
        await Refused(alice, ticketId, HttpStatusCode.Conflict, "transfer_pending");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.transfers where sender_id = $1", alice.UserId)).Should().Be(1, "refusals change nothing");

        async Task Refused(Person who, Guid ticket, HttpStatusCode status, string problem, string because = "")
        {
            using var response = await Client.SendAsync(who, HttpMethod.Post, $"/api/tickets/{ticket}/transfers", new { recipientEmail = "someone@example.com" });
            (await response.ShouldBeProblemAsync(status, problem)).Title.Should().NotBeNullOrEmpty(because);
        }
    }

    [Fact]
    public async Task Accepting_is_refused_with_a_wrong_code_by_the_sender_when_cancelled_expired_or_too_late_and_the_ticket_stays()
    {
        var (alice, ticketId, eventId) = await ActiveTicketAsync();
        var bob = await fixture.Personas.FanAsync();
        var carol = await fixture.Personas.FanAsync();

        var first = await StartAsync(alice, ticketId, bob.Email);
        await AcceptRefused(bob, first.Id(), "AAAAA-AAAAA-AAAAA-AAAAA", HttpStatusCode.NotFound, "transfer_not_found");
        await AcceptRefused(bob, Guid.NewGuid(), first.Text("acceptanceCode"), HttpStatusCode.NotFound, "transfer_not_found");
        await AcceptRefused(alice, first.Id(), first.Text("acceptanceCode"), HttpStatusCode.Conflict, "own_transfer");
        await CancelRefused(carol, first.Id(), HttpStatusCode.NotFound, "transfer_not_found");
        var cancelled = await CancelAsync(alice, first.Id());
        (await CancelAsync(alice, first.Id())).Text("status").Should().Be("cancelled", "cancelling twice is cancelling");
        await AcceptRefused(bob, first.Id(), first.Text("acceptanceCode"), HttpStatusCode.Conflict, "transfer_not_pending");

        var second = await StartAsync(alice, ticketId, bob.Email);
        await fixture.Database.ExecuteAsync("update tickets.transfers set expires_at = now() - interval '1 second' where id = $1", second.Id());
        await AcceptRefused(bob, second.Id(), second.Text("acceptanceCode"), HttpStatusCode.Gone, "transfer_expired");
        await CancelRefused(alice, second.Id(), HttpStatusCode.Gone, "transfer_expired");

        var third = await StartAsync(alice, ticketId, bob.Email); // an expired transfer does not block the next
        await fixture.Database.ExecuteAsync("update tickets.events set starts_at = now() - interval '1 minute' where id = $1", eventId);
        await AcceptRefused(bob, third.Id(), third.Text("acceptanceCode"), HttpStatusCode.Conflict, "transfer_deadline_passed");

        cancelled.Text("status").Should().Be("cancelled");
        var statuses = (await Client.GetOkAsync(alice, "/api/transfers")).GetProperty("items").EnumerateArray().Select(t => t.Text("status"));
        statuses.Should().Equal("pending", "expired", "cancelled");
        (await Client.GetOkAsync(alice, $"/api/tickets/{ticketId}")).Text("status").Should().Be(TicketStatuses.Active, "every refusal left the ticket with Alice");
        (await fixture.Database.ScalarAsync<int>("select secret_version from tickets.tickets where id = $1", ticketId)).Should().Be(1);
    }

    [Fact]
    public async Task A_transfer_cannot_be_accepted_twice_cancelled_once_accepted_or_accepted_for_a_refunded_ticket()
    {
        var alice = await fixture.Personas.FanAsync();
        var bob = await fixture.Personas.FanAsync();
        var carol = await fixture.Personas.FanAsync();
        var order = TestOrders.Order((await AnnounceAsync()).EventId, alice.UserId, seats: 2);
        var tickets = (await fixture.IssueAsync(order)).Tickets;

        var gift = await StartAsync(alice, tickets[0].TicketId, bob.Email);
        await AcceptAsync(bob, gift.Id(), gift.Text("acceptanceCode"));
        await AcceptRefused(carol, gift.Id(), gift.Text("acceptanceCode"), HttpStatusCode.NotFound, "transfer_not_found");
        await CancelRefused(alice, gift.Id(), HttpStatusCode.Conflict, "transfer_not_pending");
        await CancelRefused(bob, gift.Id(), HttpStatusCode.NotFound, "transfer_not_found");

        var refunded = await StartAsync(alice, tickets[1].TicketId, carol.Email);
        await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, [2], RevokeTickets.Refunded));
        await AcceptRefused(carol, refunded.Id(), refunded.Text("acceptanceCode"), HttpStatusCode.Conflict, "ticket_not_transferable");

        (await Client.GetOkAsync(bob, $"/api/tickets/{tickets[0].TicketId}")).Text("status").Should().Be(TicketStatuses.Active);
        (await Client.GetOkAsync(carol, "/api/tickets")).Ids().Should().BeEmpty();
    }

    [Fact]
    public async Task Every_change_of_a_ticket_publishes_tickets_changed_with_a_growing_sequence_one_per_ticket_when_an_event_is_cancelled()
    {
        var alice = await fixture.Personas.FanAsync();
        var bob = await fixture.Personas.FanAsync();
        var e = await AnnounceAsync();
        var order = TestOrders.Order(e.EventId, alice.UserId, seats: 2, standing: 1);
        var tickets = (await fixture.IssueAsync(order)).Tickets.Select(t => t.TicketId).ToList();
        var gift = await StartAsync(alice, tickets[0], bob.Email);
        await AcceptAsync(bob, gift.Id(), gift.Text("acceptanceCode"));
        await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, [1], RevokeTickets.Refunded));

        await fixture.PublishAsync(Contracts.Catalog.EventCancelled.Topic, new Contracts.Catalog.EventCancelled(e.EventId, e.OrganizerId, "Storm", DateTimeOffset.UtcNow));

        var given = await fixture.ChangesUpToAsync(tickets[0], 4);
        given.Select(c => (c.Sequence, c.Status, c.OwnerId)).Should().Equal(
            (1L, TicketStatuses.Issued, alice.UserId), (2L, TicketStatuses.Active, alice.UserId), (3L, TicketStatuses.Active, bob.UserId), (4L, TicketStatuses.Refunded, bob.UserId));
        foreach (var ticketId in tickets.Skip(1))
        {
            var changes = await fixture.ChangesUpToAsync(ticketId, 3);
            changes.Select(c => (c.Sequence, c.Status)).Should().Equal((1L, TicketStatuses.Issued), (2L, TicketStatuses.Active), (3L, TicketStatuses.Cancelled));
            changes[^1].ChangedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
            changes[^1].SeatId.Should().Be(ticketId == tickets[1] ? order.Lines[1].SeatId : null);
            changes[^1].TicketTypeId.Should().Be(ticketId == tickets[1] ? TestOrders.FrontType : TestOrders.StandingType);
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // nothing more may follow: the refunded ticket is not cancelled, no ticket is announced twice
        fixture.Changes(tickets[0]).Should().HaveCount(4);
        tickets.Skip(1).Select(t => fixture.Changes(t).Count).Should().Equal(3, 3);
        (await fixture.Database.ScalarAsync<long>("select sum(version) from tickets.tickets where id = any($1)", tickets.ToArray())).Should().Be(4 + 3 + 3);
    }

    private async Task<Contracts.Catalog.EventPublished> AnnounceAsync() => await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(7)));

    private async Task<(Person Fan, Guid TicketId, Guid EventId)> ActiveTicketAsync()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await AnnounceAsync();
        return (fan, (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId, e.EventId);
    }

    private async Task<byte[]> OfflineSecretAsync(Person fan, Guid ticketId) =>
        Base64Url.DecodeFromChars((await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}/offline")).Text("secret"));

    private async Task<JsonElement> StartAsync(Person sender, Guid ticketId, string recipientEmail, string? message = null)
    {
        using var response = await Client.SendAsync(sender, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail, message });
        return await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    private async Task<JsonElement> AcceptAsync(Person recipient, Guid transferId, string code)
    {
        using var response = await Client.SendAsync(recipient, HttpMethod.Post, $"/api/transfers/{transferId}/accept", new { acceptanceCode = code });
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<JsonElement> CancelAsync(Person sender, Guid transferId)
    {
        using var response = await Client.SendAsync(sender, HttpMethod.Post, $"/api/transfers/{transferId}/cancel");
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task AcceptRefused(Person who, Guid transferId, string code, HttpStatusCode status, string problem)
    {
        using var response = await Client.SendAsync(who, HttpMethod.Post, $"/api/transfers/{transferId}/accept", new { acceptanceCode = code });
        await response.ShouldBeProblemAsync(status, problem);
    }

    private async Task CancelRefused(Person who, Guid transferId, HttpStatusCode status, string problem)
    {
        using var response = await Client.SendAsync(who, HttpMethod.Post, $"/api/transfers/{transferId}/cancel");
        await response.ShouldBeProblemAsync(status, problem);
    }
}
