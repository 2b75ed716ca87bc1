using System.Net;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>A fan's list of tickets and one ticket, over HTTP.</summary>
public sealed class MyTicketsTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task One_ticket_shows_its_event_seat_type_order_and_status()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(3), name: "Night at the Opera"));
        var order = TestOrders.Order(e.EventId, fan.UserId, seats: 1);
        var ticketId = (await fixture.IssueAsync(order)).Tickets[0].TicketId;

        var ticket = await Client.GetOkAsync(fan, $"/api/tickets/{ticketId}");

        ticket.GetProperty("id").GetGuid().Should().Be(ticketId);
        ticket.Text("status").Should().Be(TicketStatuses.Active);
        var @event = ticket.GetProperty("event");
        @event.Text("name").Should().Be("Night at the Opera");
        @event.GetProperty("startsAt").GetDateTimeOffset().Should().Be(e.StartsAt);
        @event.GetProperty("endsAt").GetDateTimeOffset().Should().Be(e.EndsAt);
        @event.Text("timeZone").Should().Be("Europe/Berlin");
        (@event.GetProperty("venue").Text("name"), @event.GetProperty("venue").Text("city")).Should().Be(("Main Hall", "Berlin"));
        var seat = ticket.GetProperty("seat");
        (seat.Text("id"), seat.Text("section"), seat.Text("row"), seat.Text("number"), seat.Text("priceZone"))
            .Should().Be((order.Lines[0].SeatId!, order.Lines[0].Section!, "1", "1", "A"));
        ticket.GetProperty("ticketType").Text("name").Should().Be("Front");
        (ticket.GetProperty("faceValue").GetInt64(), ticket.Text("currency")).Should().Be((8_500, "EUR"));
        (ticket.GetProperty("orderId").GetGuid(), ticket.Text("orderNumber")).Should().Be((order.OrderId, order.OrderNumber));
    }

    [Fact]
    public async Task The_list_filters_by_event_status_and_upcoming_or_past()
    {
        var fan = await fixture.Personas.FanAsync();
        var now = DateTimeOffset.UtcNow;
        var soon = await fixture.AnnounceAsync(TestOrders.Event(now.AddDays(2)));
        var later = await fixture.AnnounceAsync(TestOrders.Event(now.AddDays(20)));
        var over = await fixture.AnnounceAsync(TestOrders.Event(now.AddDays(-2)));
        var soonTickets = (await fixture.IssueAsync(TestOrders.Order(soon.EventId, fan.UserId, seats: 2))).Tickets.Select(t => t.TicketId).ToList();
        var laterTicket = (await fixture.IssueAsync(TestOrders.Order(later.EventId, fan.UserId, seats: 1), activate: false)).Tickets[0].TicketId;
        var overTicket = (await fixture.IssueAsync(TestOrders.Order(over.EventId, fan.UserId, seats: 1))).Tickets[0].TicketId;

        (await Client.GetOkAsync(fan, "/api/tickets")).Ids().Should().Equal([overTicket, .. soonTickets.Order(), laterTicket], "by event start, earliest first");
        (await Client.GetOkAsync(fan, $"/api/tickets?eventId={soon.EventId}")).Ids().Should().BeEquivalentTo(soonTickets);
        (await Client.GetOkAsync(fan, "/api/tickets?status=issued")).Ids().Should().Equal(laterTicket);
        (await Client.GetOkAsync(fan, "/api/tickets?when=upcoming")).Ids().Should().Equal([.. soonTickets.Order(), laterTicket]);
        (await Client.GetOkAsync(fan, "/api/tickets?when=past")).Ids().Should().Equal(overTicket);
        (await Client.GetOkAsync(fan, $"/api/tickets?when=upcoming&status=active&eventId={later.EventId}")).Ids().Should().BeEmpty();
    }

    [Fact]
    public async Task Pages_follow_each_other_without_duplicates_or_gaps()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(5)));
        var other = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(1)));
        var all = new List<Guid>();
        all.AddRange((await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 3, standing: 2))).Tickets.Select(t => t.TicketId));
        all.AddRange((await fixture.IssueAsync(TestOrders.Order(other.EventId, fan.UserId, seats: 2))).Tickets.Select(t => t.TicketId));

        var first = await Client.GetOkAsync(fan, "/api/tickets?limit=4");
        var second = await Client.GetOkAsync(fan, $"/api/tickets?limit=4&cursor={first.Text("nextCursor")}");
        var whole = await Client.GetOkAsync(fan, "/api/tickets?limit=200");

        first.Ids().Should().HaveCount(4);
        second.Ids().Should().HaveCount(3);
        second.GetProperty("nextCursor").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "the second page is the last");
        first.Ids().Concat(second.Ids()).Should().Equal(whole.Ids(), "two pages are the whole list in order, nothing twice, nothing missed");
        whole.Ids().Should().BeEquivalentTo(all);
        whole.Ids().Take(2).Should().BeEquivalentTo(all.Skip(5), "the earlier event's tickets come first");
    }

    [Fact]
    public async Task Past_tickets_page_from_the_latest_event_back()
    {
        var fan = await fixture.Personas.FanAsync();
        var lastMonth = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(-30)));
        var lastWeek = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(-7)));
        var older = (await fixture.IssueAsync(TestOrders.Order(lastMonth.EventId, fan.UserId, seats: 2))).Tickets.Select(t => t.TicketId).ToList();
        var newer = (await fixture.IssueAsync(TestOrders.Order(lastWeek.EventId, fan.UserId, seats: 1))).Tickets.Select(t => t.TicketId).ToList();

        var first = await Client.GetOkAsync(fan, "/api/tickets?when=past&limit=2");
        var second = await Client.GetOkAsync(fan, $"/api/tickets?when=past&limit=2&cursor={first.Text("nextCursor")}");

        first.Ids().Should().HaveCount(2);
        first.Ids()[0].Should().Be(newer[0], "the latest event comes first");
        first.Ids().Concat(second.Ids()).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(older.Concat(newer));
        second.GetProperty("nextCursor").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Every_tickets_route_answers_junk_with_a_4xx_problem_or_ignores_it_and_never_a_500()
    {
        var fan = await fixture.Personas.FanAsync();
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(Guid.NewGuid(), fan.UserId, seats: 1))).Tickets[0].TicketId;
        string[] junk = ["?limit=-1", "?limit=99999999999", "?cursor=%00", "?cursor=" + new string('A', 32), "?eventId=1", "?status=", "?when=%20",
            "?format=", "?format=%00", "?status=active&status=issued"];

        foreach (var route in new[] { "/api/tickets", $"/api/tickets/{ticketId}", $"/api/tickets/{ticketId}/qr", $"/api/tickets/{ticketId}/offline", "/api/tickets/not-a-guid" })
        {
            foreach (var query in junk)
            {
                using var response = await Client.GetAsync(fan, route + query);

                ((int)response.StatusCode).Should().BeLessThan(500, "{0}{1}", route, query);
                if ((int)response.StatusCode >= 400 && response.StatusCode != HttpStatusCode.NotFound)
                {
                    await Problem.ReadAsync(response);
                }
            }
        }
    }

    [Theory]
    [InlineData("/api/tickets?when=soon", "validation_failed")]
    [InlineData("/api/tickets?status=lost", "validation_failed")]
    [InlineData("/api/tickets?cursor=not-a-cursor", "invalid_cursor")]
    [InlineData("/api/tickets?limit=0", "invalid_limit")]
    [InlineData("/api/tickets?limit=many", "invalid_request")]
    [InlineData("/api/tickets?eventId=nope", "invalid_request")]
    [InlineData("/api/tickets/00000000-0000-0000-0000-000000000001/qr?format=gif", "unsupported_format")]
    public async Task Bad_input_is_a_400_problem(string path, string code)
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await Client.GetAsync(fan, path);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, code);
    }
}
