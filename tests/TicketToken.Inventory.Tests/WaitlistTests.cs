using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Inventory;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Inventory.Tests;

/// <summary>With two-second holds on the fixture's clock: released seats are offered to the first in line, and lapsed offers pass on.</summary>
public sealed class WaitlistTests(ShortHoldsFixture fixture) : IClassFixture<ShortHoldsFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Released_seats_are_held_for_the_first_in_line_and_a_lapsed_offer_passes_to_the_next()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 1, seatsPerRow: 2));
        var holder = await fixture.Personas.FanAsync();
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();
        await Client.HeldAsync(holder, e.EventId, new { best = new { quantity = 2 } });

        var firstPlace = await JoinAsync(first, e.EventId, quantity: 2);
        var secondPlace = await JoinAsync(second, e.EventId, quantity: 2);
        firstPlace.GetProperty("position").GetInt32().Should().Be(1);
        secondPlace.GetProperty("position").GetInt32().Should().Be(2);

        fixture.Clock.Advance(TimeSpan.FromSeconds(2.1)); // the holder's hold ends
        var offer = await WaitForStatusAsync(first, e.EventId, "offered");
        var holdId = offer.GetProperty("holdId").GetGuid();
        using (var hold = await Client.SendAsync(first.Request(HttpMethod.Get, $"/api/inventory/events/{e.EventId}/holds/{holdId}")))
        {
            hold.StatusCode.Should().Be(HttpStatusCode.OK, "the offer is a hold in the first fan's name");
            (await hold.Content.ReadFromJsonAsync<JsonElement>()).SeatIds().Should().HaveCount(2);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(2.1)); // the first fan lets the offer lapse

        (await fixture.Events.WaitForAsync(SeatsReleased.Topic, r => r.GetProperty("holdId").GetGuid() == holdId)).GetProperty("reason").GetString()
            .Should().Be("expired", "the first fan let the offer lapse");
        await WaitForStatusAsync(second, e.EventId, "offered");
        (await PlaceAsync(first, e.EventId)).GetProperty("status").GetString().Should().Be("lapsed");
    }

    [Fact]
    public async Task General_admission_places_that_come_back_are_offered_to_the_first_fan_waiting_for_that_type_and_pass_on_when_the_offer_lapses()
    {
        var standing = TestEvents.GeneralAdmission(capacity: 2);
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 1, seatsPerRow: 2, generalAdmission: [standing]));
        var holder = await fixture.Personas.FanAsync();
        var seatFan = await fixture.Personas.FanAsync();
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();
        await Client.HeldAsync(holder, e.EventId, new { generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 2 } } });

        await JoinAsync(seatFan, e.EventId, quantity: 1); // waits for seats: standing places are not for them
        using (var joined = await Client.SendAsync(first.Request(HttpMethod.Put, $"/api/inventory/events/{e.EventId}/waitlist/me", new { quantity = 2, ticketTypeId = standing.Id })))
        {
            var place = await joined.Content.ReadFromJsonAsync<JsonElement>();
            joined.StatusCode.Should().Be(HttpStatusCode.OK, place.ToString());
            place.GetProperty("ticketTypeId").GetGuid().Should().Be(standing.Id);
        }

        using (var joined = await Client.SendAsync(second.Request(HttpMethod.Put, $"/api/inventory/events/{e.EventId}/waitlist/me", new { quantity = 2, ticketTypeId = standing.Id })))
        {
            joined.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(2.1)); // the holder's places come back
        var offer = await WaitForStatusAsync(first, e.EventId, "offered");
        var holdId = offer.GetProperty("holdId").GetGuid();
        using (var hold = await Client.SendAsync(first.Request(HttpMethod.Get, $"/api/inventory/events/{e.EventId}/holds/{holdId}")))
        {
            var view = await hold.Content.ReadFromJsonAsync<JsonElement>();
            hold.StatusCode.Should().Be(HttpStatusCode.OK, "the offer is a hold of standing places in the first fan's name");
            view.GetProperty("generalAdmission").EnumerateArray().Select(g => (g.GetProperty("ticketTypeId").GetGuid(), g.GetProperty("quantity").GetInt32()))
                .Should().Equal([(standing.Id, 2)]);
        }

        (await fixture.Events.WaitForAsync(WaitlistOffered.Topic, o => o.GetProperty("holdId").GetGuid() == holdId)).GetProperty("generalAdmission").GetArrayLength().Should().Be(1);
        (await PlaceAsync(seatFan, e.EventId)).GetProperty("status").GetString().Should().Be("waiting", "standing places are no seats");
        fixture.Clock.Advance(TimeSpan.FromSeconds(2.1)); // the first fan lets the offer lapse

        await WaitForStatusAsync(second, e.EventId, "offered");
        (await PlaceAsync(first, e.EventId)).GetProperty("status").GetString().Should().Be("lapsed");
        (await PlaceAsync(seatFan, e.EventId)).GetProperty("status").GetString().Should().Be("waiting");

        var fan = await fixture.Personas.FanAsync();
        using var unknownType = await Client.SendAsync(fan.Request(HttpMethod.Put, $"/api/inventory/events/{e.EventId}/waitlist/me", new { quantity = 1, ticketTypeId = Guid.NewGuid() }));
        (await unknownType.ProblemCodeAsync()).Should().Be("unknown_ticket_type");
    }

    [Fact]
    public async Task A_fan_can_leave_the_line_and_joining_an_unknown_event_is_refused()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 1, seatsPerRow: 2));
        var fan = await fixture.Personas.FanAsync();
        await JoinAsync(fan, e.EventId, quantity: 1);

        using var left = await Client.SendAsync(fan.Request(HttpMethod.Delete, $"/api/inventory/events/{e.EventId}/waitlist/me"));
        using var unknown = await Client.SendAsync(fan.Request(HttpMethod.Put, $"/api/inventory/events/{Guid.NewGuid()}/waitlist/me", new { quantity = 1 }));
        using var badZone = await Client.SendAsync(fan.Request(HttpMethod.Put, $"/api/inventory/events/{e.EventId}/waitlist/me", new { quantity = 1, priceZone = "Z" }));

        left.StatusCode.Should().Be(HttpStatusCode.NoContent);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.ProblemCodeAsync()).Should().Be("event_not_found");
        (await badZone.ProblemCodeAsync()).Should().Be("unknown_price_zone");
    }

    private async Task<JsonElement> JoinAsync(Person fan, Guid eventId, int quantity)
    {
        using var response = await Client.SendAsync(fan.Request(HttpMethod.Put, $"/api/inventory/events/{eventId}/waitlist/me", new { quantity }));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PlaceAsync(Person fan, Guid eventId)
    {
        using var response = await Client.SendAsync(fan.Request(HttpMethod.Get, $"/api/inventory/events/{eventId}/waitlist/me"));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> WaitForStatusAsync(Person fan, Guid eventId, string status)
    {
        JsonElement place = default;
        await Eventually.TrueAsync(async () =>
        {
            place = await PlaceAsync(fan, eventId);
            return place.GetProperty("status").GetString() == status;
        }, $"the waitlist place to become {status}", TimeSpan.FromSeconds(20));
        return place;
    }
}
