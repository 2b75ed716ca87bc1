using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Inventory.Tests;

/// <summary>A pass holds the same seat in every one of its events, or general-admission places in each, all or nothing (docs/adr/0023).</summary>
public sealed class PassHoldTests(InventoryFixture fixture) : IClassFixture<InventoryFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_seated_pass_holds_the_same_seat_in_all_three_events()
    {
        var events = await ThreeEventsAsync();
        var fan = await fixture.Personas.FanAsync();

        var pass = await HeldAsync(fan, new { eventIds = events, seats = new[] { "A1-1-5", "A1-1-6" } });

        var holds = pass.GetProperty("holds").EnumerateArray().ToList();
        holds.Select(h => h.GetProperty("eventId").GetGuid()).Should().Equal(events);
        holds.Should().OnlyContain(h => h.SeatIds().SequenceEqual(new[] { "A1-1-5", "A1-1-6" }));
        foreach (var e in events)
        {
            var seats = await Client.SeatStatusesAsync(e);
            seats["A1-1-5"].Should().Be("held");
            seats["A1-1-6"].Should().Be("held");
        }
    }

    [Fact]
    public async Task A_seat_taken_in_one_event_refuses_the_whole_pass_and_leaves_the_other_events_free()
    {
        var events = await ThreeEventsAsync();
        var early = await fixture.Personas.FanAsync();
        var fan = await fixture.Personas.FanAsync();
        await Client.HeldAsync(early, events[2], new { seats = new[] { "A1-2-3" } });

        using var refused = await SendAsync(fan, new { eventIds = events, seats = new[] { "A1-2-3" } });

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemCodeAsync()).Should().Be(HoldFailures.SeatUnavailable);
        (await Client.SeatStatusesAsync(events[0]))["A1-2-3"].Should().Be("available", "the first event's part went back when the third failed");
        (await Client.SeatStatusesAsync(events[1]))["A1-2-3"].Should().Be("available");
        (await Client.SeatStatusesAsync(events[2]))["A1-2-3"].Should().Be("held", "the other fan's hold is untouched");
    }

    [Fact]
    public async Task A_general_admission_pass_takes_a_place_on_every_day_or_none_when_one_day_is_full()
    {
        var standing = new[] { TestEvents.GeneralAdmission(5), TestEvents.GeneralAdmission(5), TestEvents.GeneralAdmission(1) };
        var days = new List<Guid>();
        foreach (var type in standing)
        {
            days.Add((await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 1, generalAdmission: [type]))).EventId);
        }

        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        object Body(int quantity) => new { eventIds = days, generalAdmission = days.Select((d, i) => new { eventId = d, ticketTypeId = standing[i].Id, quantity }).ToArray() };

        using var tooMany = await SendAsync(fan, Body(2));
        var pass = await HeldAsync(fan, Body(1));
        using var soldOut = await SendAsync(other, Body(1));

        tooMany.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await tooMany.ProblemCodeAsync()).Should().Be(HoldFailures.NotEnoughSeats, "the third day has one place");
        pass.GetProperty("holds").GetArrayLength().Should().Be(3);
        (await soldOut.ProblemCodeAsync()).Should().Be(HoldFailures.SoldOut);
        for (var i = 0; i < days.Count; i++)
        {
            var availability = await Client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{days[i]}/availability");
            var general = availability.GetProperty("generalAdmission")[0];
            general.GetProperty("held").GetInt32().Should().Be(1, "one pass holds one place on day {0}, and the refused ones none", i + 1);
        }
    }

    [Fact]
    public async Task Bad_pass_hold_requests_are_400s_and_anonymous_callers_401()
    {
        var events = await ThreeEventsAsync();
        var fan = await fixture.Personas.FanAsync();
        object[] bodies =
        [
            new { eventIds = new[] { events[0] }, seats = new[] { "A1-1-1" } },
            new { eventIds = new[] { events[0], events[0] }, seats = new[] { "A1-1-1" } },
            new { eventIds = events },
            new { eventIds = events, seats = new[] { "A1-1-1" }, generalAdmission = new[] { new { eventId = events[0], ticketTypeId = Guid.NewGuid(), quantity = 1 } } },
            new { eventIds = events, generalAdmission = new[] { new { eventId = events[0], ticketTypeId = Guid.NewGuid(), quantity = 1 } } },
        ];
        foreach (var body in bodies)
        {
            using var response = await SendAsync(fan, body);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, JsonSerializer.Serialize(body));
        }

        using var anonymous = await Client.PostAsJsonAsync("/api/inventory/pass-holds", new { eventIds = events, seats = new[] { "A1-1-1" } });
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Client.SeatStatusesAsync(events[0]))["A1-1-1"].Should().Be("available");
    }

    private async Task<List<Guid>> ThreeEventsAsync()
    {
        var events = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 3, seatsPerRow: 8))).EventId);
        }

        return events;
    }

    private async Task<HttpResponseMessage> SendAsync(TicketToken.Testing.Identity.Person fan, object body)
    {
        using var request = fan.Request(HttpMethod.Post, "/api/inventory/pass-holds", body);
        return await Client.SendAsync(request);
    }

    private async Task<JsonElement> HeldAsync(TicketToken.Testing.Identity.Person fan, object body)
    {
        using var response = await SendAsync(fan, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
