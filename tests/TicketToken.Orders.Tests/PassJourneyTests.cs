using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Tickets;
using TicketToken.Scanning;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>The purchase's modules and the gate, so a pass can be followed from its hold to each of its events' turnstiles.</summary>
public sealed class PassJourneyFixture : JourneyFixture
{
    protected override IReadOnlyList<Module> Modules() => [.. base.Modules(), new ScanningModule()];

    /// <summary>
    /// Events of one organizer an hour apart (so every gate is open for check-in now, 4 hours before each start), on one seat map (2 rows of 6, row A PREMIUM, row B STANDARD) or, with
    /// <paramref name="generalAdmission"/>, days with a "Weekend" standing type each; published, on sale, and a pass over
    /// them at <paramref name="passPriceMinor"/>, public once all three are.
    /// </summary>
    public async Task<Season> SeasonAsync(bool generalAdmission, long passPriceMinor, params long[] eventPrices)
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync();
        var venue = await PostAsync(admin, "/api/venues", new
        {
            organizerId, name = "Harbour Hall", timeZone = "Europe/Berlin", capacity = 100,
            address = new { line1 = "Kai 1", city = "Hamburg", postalCode = "20457", country = "DE" },
        });
        var venueId = venue.GetProperty("id").GetGuid();
        string? seatMapId = null;
        if (!generalAdmission)
        {
            var csv = new StringBuilder("section,row,seat,zone,accessible,companion,blocked,x,y\n");
            foreach (var row in new[] { "A", "B" })
            {
                for (var n = 1; n <= 6; n++)
                {
                    csv.Append(FormattableString.Invariant($"STALLS,{row},{n},{(row == "A" ? "PREMIUM" : "STANDARD")},,,,,\n"));
                }
            }

            using var import = admin.Request(HttpMethod.Post, $"/api/venues/{venueId}/seatmaps/import?name=Concert");
            import.Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
            using var imported = await Client.SendAsync(import);
            seatMapId = (await imported.ShouldBeAsync(HttpStatusCode.Created)).Text("id");
        }

        var events = new List<Guid>();
        for (var i = 0; i < eventPrices.Length; i++)
        {
            var startsAt = DateTimeOffset.UtcNow.AddHours(1 + i);
            object[] types = generalAdmission
                ? [new { name = "Weekend", kind = "general_admission", priceMinor = eventPrices[i], capacity = 50 }]
                : [new { name = "Stalls", kind = "reserved", priceZone = "STANDARD", priceMinor = eventPrices[i] },
                   new { name = "Premium", kind = "reserved", priceZone = "PREMIUM", priceMinor = 8_900 }];
            var created = await PostAsync(admin, "/api/events", new
            {
                organizerId, venueId, seatMapId, name = $"Harbour Sessions {i + 1}", category = "concert",
                startsAt, endsAt = startsAt.AddMinutes(50), currency = "EUR", ticketTypes = types,
            });
            var eventId = created.GetProperty("id").GetGuid();
            await PostAsync(admin, $"/api/events/{eventId}/publish", null, HttpStatusCode.OK);
            await PostAsync(admin, $"/api/events/{eventId}/open-sales", null, HttpStatusCode.OK);
            events.Add(eventId);
        }

        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("select count(distinct event_id) from orders.ticket_prices where event_id = any($1)",
            events.ToArray()) == events.Count, "orders knows the published events");
        var pass = await PostAsync(admin, "/api/passes", new
        {
            organizerId, name = generalAdmission ? "Festival weekend" : "Season stalls", eventIds = events,
            ticketType = generalAdmission ? "Weekend" : "Stalls", priceMinor = passPriceMinor,
        });
        var passId = pass.GetProperty("id").GetGuid();
        var ticketTypes = pass.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("ticketTypeId").GetGuid()).ToList();
        return new Season(admin, organizerId, venueId, passId, events, ticketTypes);
    }

    /// <summary>A fan's pass hold (<paramref name="body"/> without the event ids), checked out; answers the order.</summary>
    public async Task<JsonElement> PassCheckedOutAsync(Person fan, Season season, object body)
    {
        using var response = await CheckoutPassAsync(fan, season, await PassHoldAsync(fan, season, body));
        return await response.ShouldBeAsync(HttpStatusCode.Accepted);
    }

    /// <summary>The fan's pass hold over every event of <paramref name="season"/>: <paramref name="body"/> is the request without the event ids.</summary>
    public async Task<Guid> PassHoldAsync(Person fan, Season season, object body)
    {
        var json = JsonSerializer.SerializeToElement(body, JsonSerializerOptions.Web);
        var request = new Dictionary<string, object> { ["eventIds"] = season.Events };
        foreach (var property in json.EnumerateObject())
        {
            request[property.Name] = property.Value;
        }

        return (await PostAsync(fan, "/api/inventory/pass-holds", request)).GetProperty("passHoldId").GetGuid();
    }

    public async Task<HttpResponseMessage> CheckoutPassAsync(Person fan, Season season, Guid passHoldId, string? idempotencyKey = null)
    {
        using var checkout = fan.Request(HttpMethod.Post, "/api/orders/passes", new { passId = season.PassId, passHoldId });
        checkout.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await Client.SendAsync(checkout);
    }
}

public sealed record Season(Person Admin, Guid OrganizerId, Guid VenueId, Guid PassId, IReadOnlyList<Guid> Events, IReadOnlyList<Guid> TicketTypes);

/// <summary>
/// Season and multi-day passes (docs/adr/0023) end to end: one order over the pass's events paid once, the same seat sold
/// in every event, one ticket per event that admits once there, "my tickets" showing the pass as one entry, and a pass
/// that moves only whole (a gift, a refund) and is never listed one event at a time.
/// </summary>
public sealed class PassJourneyTests(PassJourneyFixture fixture) : IClassFixture<PassJourneyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task A_seated_pass_over_three_events_sells_the_same_seat_in_each_admits_once_per_event_and_shows_as_one_pass()
    {
        var season = await fixture.SeasonAsync(generalAdmission: false, passPriceMinor: 12_000, 4_900, 4_900, 5_900);
        var fan = await fixture.Personas.FanAsync();

        var passHoldId = await fixture.PassHoldAsync(fan, season, new { seats = new[] { "STALLS-B-3" } });
        var stranger = await fixture.Personas.FanAsync();
        using (var foreign = await fixture.CheckoutPassAsync(stranger, season, passHoldId))
        {
            await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hold_not_found");
        }

        using var checkout = await fixture.CheckoutPassAsync(fan, season, passHoldId, "season-1");
        var orderId = (await checkout.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        using (var retried = await fixture.CheckoutPassAsync(fan, season, passHoldId, "season-1"))
        {
            (await retried.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid().Should().Be(orderId, "a retried checkout is the same order");
        }

        using (var twice = await fixture.CheckoutPassAsync(fan, season, passHoldId, "season-2"))
        {
            await twice.ShouldBeProblemAsync(HttpStatusCode.Conflict, "hold_already_checked_out");
        }

        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where hold_id = $1", passHoldId)).Should().Be(1, "another fan's checkout made no order");
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");

        // One order, one line per event, the pass price split by the events' own prices (49 : 49 : 59) to the cent.
        confirmed.GetProperty("passId").GetGuid().Should().Be(season.PassId);
        var lines = confirmed.GetProperty("lines").EnumerateArray().ToList();
        lines.Select(l => l.GetProperty("eventId").GetGuid()).Should().Equal(season.Events);
        lines.Should().OnlyContain(l => l.Text("seatId") == "STALLS-B-3");
        lines.Select(l => l.GetProperty("faceValue").GetInt64()).Should().Equal(3_745, 3_745, 4_510);
        confirmed.GetProperty("amounts").GetProperty("faceValue").GetInt64().Should().Be(12_000);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.payments where order_id = $1", orderId)).Should().Be(1, "paid once");
        foreach (var eventId in season.Events)
        {
            (await SeatStatusAsync(eventId, "STALLS-B-3")).Should().Be("sold", "the same seat is sold in every event of the pass");
        }

        // My tickets: the pass is one entry with its three events, each with its own ticket.
        var pass = (await PassesAsync(fan)).Should().ContainSingle().Subject;
        pass.Text("name").Should().Be("Season stalls");
        var events = pass.GetProperty("events").EnumerateArray().ToList();
        events.Select(t => t.GetProperty("event").GetProperty("id").GetGuid()).Should().Equal(season.Events);
        events.Should().OnlyContain(t => t.Text("status") == "active" && t.GetProperty("seat").Text("id") == "STALLS-B-3"
            && t.GetProperty("pass").GetProperty("id").GetGuid() == season.PassId);
        var ticketIds = events.Select(t => t.GetProperty("id").GetGuid()).ToList();

        // At the gate: each event's ticket admits once at its event and is refused a second entry there.
        var device = await fixture.Personas.DeviceAsync(season.Admin, season.OrganizerId, season.VenueId);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from scanning.tickets where id = any($1) and status = 'active'",
            ticketIds.ToArray()) == 3 && await fixture.Database.ScalarAsync<long>("select count(*) from scanning.devices where id = $1", device.DeviceId) == 1,
            "the gate knows the pass's tickets and the device");
        for (var i = 0; i < 3; i++)
        {
            var code = await OfflineCodeAsync(fan, ticketIds[i]);
            var first = await ScanAsync(device, season.Events[i], code);
            var second = await ScanAsync(device, season.Events[i], code);
            first.GetProperty("allowed").GetBoolean().Should().BeTrue(first.ToString());
            second.GetProperty("allowed").GetBoolean().Should().BeFalse("a pass admits once per event under the standard policy");
        }

        // One event's ticket is not given away alone.
        using var single = await Client.SendAsync(fan, HttpMethod.Post, $"/api/tickets/{ticketIds[1]}/transfers", new { recipientEmail = "sam@example.com" });
        await single.ShouldBeProblemAsync(HttpStatusCode.Conflict, "pass_ticket_not_separable");
        foreach (var eventId in season.Events)
        {
            await Invariants.CheckAsync(fixture.Database, Client, eventId);
        }
    }

    [Fact]
    public async Task A_general_admission_pass_moves_only_whole_is_never_listed_by_the_event_and_is_refunded_whole()
    {
        var season = await fixture.SeasonAsync(generalAdmission: true, passPriceMinor: 14_000, 6_000, 6_000, 6_000);
        var fan = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();

        var placed = await fixture.PassCheckedOutAsync(fan, season, new
        {
            generalAdmission = season.Events.Select((eventId, i) => new { eventId, ticketTypeId = season.TicketTypes[i], quantity = 1 }).ToArray(),
        });
        var orderId = placed.GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        confirmed.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("faceValue").GetInt64()).Should().Equal(4_667, 4_667, 4_666);
        var ticketIds = (await PassesAsync(fan)).Single().GetProperty("events").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
        ticketIds.Should().HaveCount(3);

        // Listing one day's ticket is refused where every listing starts: the ticket's lock.
        var locks = fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<ITicketLockActor>(TicketLocks.Id(ticketIds[0]), TicketLocks.TypeName);
        var fanId = await fixture.Database.ScalarAsync<Guid>("select owner_id from tickets.tickets where id = $1", ticketIds[0]);
        (await locks.LockAsync(new LockTicket(ticketIds[0], fanId, TicketLockReasons.Listing, Guid.NewGuid()))).Failure
            .Should().Be(TicketLockFailures.PassTicketNotSeparable);

        // A gift of one day is refused; the whole pass goes in one gift, every ticket with a new secret version.
        using var single = await Client.SendAsync(fan, HttpMethod.Post, $"/api/tickets/{ticketIds[2]}/transfers", new { recipientEmail = "friend@example.com" });
        await single.ShouldBeProblemAsync(HttpStatusCode.Conflict, "pass_ticket_not_separable");
        var gift = await fixture.PostAsync(fan, $"/api/tickets/{ticketIds[2]}/transfers", new { recipientEmail = "friend@example.com", wholePass = true });
        gift.GetProperty("passId").GetGuid().Should().Be(season.PassId);
        await fixture.PostAsync(friend, $"/api/transfers/{gift.Text("id")}/accept", new { acceptanceCode = gift.Text("acceptanceCode") }, HttpStatusCode.OK);

        (await PassesAsync(fan)).Should().BeEmpty("the giver holds nothing of the pass");
        var received = (await PassesAsync(friend)).Should().ContainSingle().Subject;
        received.GetProperty("events").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).Should().Equal(ticketIds);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where id = any($1) and secret_version = 2", ticketIds.ToArray()))
            .Should().Be(3, "every ticket of the pass got a new secret: the giver's codes are dead");

        // The organizer refunds the order: every day's ticket is refunded and every day's place goes back on sale.
        using (var refund = season.Admin.Request(HttpMethod.Post, $"/api/orders/{orderId}/refunds", new { reason = "Festival moved" }))
        {
            refund.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await Client.SendAsync(refund);
            await response.ShouldBeAsync(HttpStatusCode.Accepted);
        }

        await fixture.OrderReachesAsync(fan, orderId, "refunded");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where id = any($1) and status = 'refunded'",
            ticketIds.ToArray()) == 3, "every ticket of the pass is refunded");
        foreach (var eventId in season.Events)
        {
            await Eventually.TrueAsync(async () =>
            {
                using var availability = await Client.GetAsync($"/api/inventory/events/{eventId}/availability");
                return (await availability.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("generalAdmission")[0].GetProperty("available").GetInt32() == 50;
            }, $"event {eventId} has its place back");
        }
    }

    [Fact]
    public async Task Cancelling_one_event_of_a_pass_refunds_that_events_share_only_and_the_other_events_still_admit()
    {
        var season = await fixture.SeasonAsync(generalAdmission: true, passPriceMinor: 14_000, 6_000, 6_000, 6_000);
        var fan = await fixture.Personas.FanAsync();
        var placed = await fixture.PassCheckedOutAsync(fan, season, new
        {
            generalAdmission = season.Events.Select((eventId, i) => new { eventId, ticketTypeId = season.TicketTypes[i], quantity = 1 }).ToArray(),
        });
        var orderId = placed.GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        var confirmed = await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var second = confirmed.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("eventId").GetGuid() == season.Events[1]);

        await fixture.PostAsync(season.Admin, $"/api/events/{season.Events[1]}/cancel", new { reason = "The band is ill.", feePolicy = "refund" }, HttpStatusCode.OK);
        var refunded = await fixture.OrderReachesAsync(fan, orderId, "partially_refunded");

        refunded.GetProperty("amounts").GetProperty("refunded").GetInt64().Should().Be(second.GetProperty("total").GetInt64(), "the cancelled evening's share, fees included");
        refunded.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("refunded").GetBoolean()).Should().Equal(false, true, false);
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.refunds where order_id = $1 and event_id = $2 and status = 'succeeded'", orderId, season.Events[1]))
            .Should().Be(1);
        var tickets = (await PassesAsync(fan)).Single().GetProperty("events").EnumerateArray().ToList();
        tickets.Select(t => t.Text("status")).Should().Equal("active", "refunded", "active");
        using var progress = await Client.SendAsync(season.Admin, HttpMethod.Get,
            $"/api/orders/organizers/{season.OrganizerId}/events/{season.Events[1]}/cancellation");
        var shown = await progress.ShouldBeAsync(HttpStatusCode.OK);
        shown.GetProperty("orders").GetInt32().Should().Be(1);
        shown.GetProperty("refunded").GetInt32().Should().Be(1);

        // Each event's sales report counts its own line of the pass, at its share.
        var lines = refunded.GetProperty("lines").EnumerateArray().ToList();
        for (var i = 0; i < 3; i++)
        {
            using var report = await Client.SendAsync(season.Admin, HttpMethod.Get, $"/api/orders/organizers/{season.OrganizerId}/events/{season.Events[i]}/sales");
            var totals = (await report.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("totals");
            totals.GetProperty("sold").GetInt32().Should().Be(1);
            totals.GetProperty("grossMinor").GetInt64().Should().Be(lines[i].GetProperty("total").GetInt64());
            totals.GetProperty("refunded").GetInt32().Should().Be(i == 1 ? 1 : 0);
        }
    }

    private async Task<List<JsonElement>> PassesAsync(Person fan)
    {
        using var response = await Client.SendAsync(fan, HttpMethod.Get, "/api/tickets/passes");
        return [.. (await response.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray()];
    }

    private async Task<string> SeatStatusAsync(Guid eventId, string seatId)
    {
        using var response = await Client.GetAsync($"/api/inventory/events/{eventId}/seats");
        return (await response.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .Single(s => s.Text("id") == seatId).Text("status");
    }

    private Task<string> OfflineCodeAsync(Person owner, Guid ticketId) => Client.CurrentCodeAsync(owner, ticketId);

    private Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code) => Client.ScanInAsync(device, eventId, code, "Main door");
}
