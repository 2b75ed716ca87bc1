using System.Net;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests;

/// <summary>The transfer policies with non-default settings: a one-hour cooldown for received tickets and three transfers a day.</summary>
public sealed class TransferPolicyTests(TransferPolicyFixture fixture) : IClassFixture<TransferPolicyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_received_ticket_cannot_be_passed_on_until_the_cooldown_is_over()
    {
        var alice = await fixture.Personas.FanAsync();
        var bob = await fixture.Personas.FanAsync();
        var carol = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(7)));
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(e.EventId, alice.UserId, seats: 1))).Tickets[0].TicketId;

        var gift = await StartAsync(alice, ticketId, bob.Email, HttpStatusCode.Created);
        using (var accept = await Client.SendAsync(bob, HttpMethod.Post, $"/api/transfers/{gift.Id()}/accept", new { acceptanceCode = gift.Text("acceptanceCode") }))
        {
            await accept.ShouldBeAsync(HttpStatusCode.OK);
        }

        using var tooSoon = await Client.SendAsync(bob, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = carol.Email });
        var problem = await tooSoon.ShouldBeProblemAsync(HttpStatusCode.Conflict, "transfer_cooldown");
        var until = DateTimeOffset.Parse(problem.Detail!["It can be passed on from ".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
        until.Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(1), TimeSpan.FromMinutes(1));

        // An hour later (moved back in the record rather than waited for).
        await fixture.Database.ExecuteAsync("update tickets.transfers set completed_at = completed_at - interval '61 minutes' where id = $1", gift.Id());
        (await StartAsync(bob, ticketId, carol.Email, HttpStatusCode.Created)).Text("status").Should().Be("pending");
    }

    [Fact]
    public async Task An_owner_starts_at_most_the_daily_limit_of_transfers_in_24_hours_cancelled_ones_included()
    {
        var alice = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(7)));
        var tickets = (await fixture.IssueAsync(TestOrders.Order(e.EventId, alice.UserId, seats: 5))).Tickets.Select(t => t.TicketId).ToList();

        var first = await StartAsync(alice, tickets[0], "one@example.com", HttpStatusCode.Created);
        using (var cancel = await Client.SendAsync(alice, HttpMethod.Post, $"/api/transfers/{first.Id()}/cancel"))
        {
            await cancel.ShouldBeAsync(HttpStatusCode.OK);
        }

        await StartAsync(alice, tickets[1], "two@example.com", HttpStatusCode.Created);
        await StartAsync(alice, tickets[2], "three@example.com", HttpStatusCode.Created);
        using var fourth = await Client.SendAsync(alice, HttpMethod.Post, $"/api/tickets/{tickets[3]}/transfers", new { recipientEmail = "four@example.com" });
        await fourth.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "transfer_limit_reached");

        // A day later the first ones no longer count.
        await fixture.Database.ExecuteAsync("update tickets.transfers set created_at = created_at - interval '25 hours' where id = $1", first.Id());
        await StartAsync(alice, tickets[3], "four@example.com", HttpStatusCode.Created);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.transfers where sender_id = $1", alice.UserId)).Should().Be(4);
    }

    private async Task<JsonElement> StartAsync(Person sender, Guid ticketId, string recipientEmail, HttpStatusCode status)
    {
        using var response = await Client.SendAsync(sender, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail });
        return await response.ShouldBeAsync(status);
    }
}
