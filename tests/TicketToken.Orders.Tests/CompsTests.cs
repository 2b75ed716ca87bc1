using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Tickets;
using TicketToken.Scanning;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>The purchase's modules and the gate (scanning), so a comp can be followed from the guest list to the turnstile.</summary>
public sealed class GateJourneyFixture : JourneyFixture
{
    protected override IReadOnlyList<Module> Modules() => [.. base.Modules(), new ScanningModule()];
}

/// <summary>Comps and guest lists through the API: free tickets that count against capacity, cost nothing, need no payment and admit at the gate.</summary>
public sealed class CompsTests(GateJourneyFixture fixture) : IClassFixture<GateJourneyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_admin_comps_named_guests_who_get_free_tickets_without_a_payment_and_the_guest_list_and_the_gate_know_them()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var guests = new
        {
            guests = new object[]
            {
                new { name = "Ada Press", email = "ada@example.com", reason = "press", ticketType = "Premium" },
                new { name = "Ben Press", reason = "PRESS", ticketType = "premium" },
                new { name = "Cleo Artist", reason = "artist", ticketType = "Standard", seat = "STALLS-B-1" },
            },
        };

        using var issued = await IssueAsync(admin, organizerId, eventId, "comps-1", JsonContent(guests));
        var order = await issued.ShouldBeAsync(HttpStatusCode.Accepted);
        var orderId = order.GetProperty("id").GetGuid();
        var confirmed = await fixture.OrderReachesAsync(admin, orderId, "confirmed");
        using var again = await IssueAsync(admin, organizerId, eventId, "comps-1", JsonContent(guests));
        await fixture.DrainAsync();

        (await again.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid().Should().Be(orderId, "a retried guest list is the same comp order");
        confirmed.GetProperty("amounts").GetProperty("total").GetInt64().Should().Be(0);
        confirmed.GetProperty("amounts").GetProperty("fees").GetInt64().Should().Be(0, "comps carry no fees");
        var seats = confirmed.GetProperty("lines").EnumerateArray().Select(l => l.Text("seatId")).ToList();
        seats[2].Should().Be("STALLS-B-1", "the artist's guest gets the seat named for them");
        seats.Take(2).Should().OnlyContain(s => s.StartsWith("STALLS-A-", StringComparison.Ordinal), "the press get the best premium seats available");
        (await fixture.Database.ScalarAsync<string?>("select payment_intent_id from orders.orders where id = $1", orderId)).Should().BeNull("nothing to pay, no intent");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.payments where order_id = $1", orderId)).Should().Be(0, "payments never heard of the comp");
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where order_id = $1", orderId)).Should().Be(0, "no money moved");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status = 'active'", orderId)).Should().Be(3);
        var fan = await fixture.Personas.FanAsync();
        using (var taken = await Client.SendAsync(fan, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { seats = new[] { "STALLS-B-1" } }))
        {
            taken.StatusCode.Should().Be(HttpStatusCode.Conflict, "the comp took its seat from the sale");
        }

        using var list = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/guest-list");
        var rows = (await list.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        rows.Select(r => (r.Text("guestName"), r.Text("reason"))).Should().Equal(("Ada Press", "press"), ("Ben Press", "press"), ("Cleo Artist", "artist"));
        rows.Should().OnlyContain(r => r.Text("orderNumber") == confirmed.Text("number") && r.Text("orderStatus") == "confirmed");
        using var csv = await Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/guest-list?format=csv");
        csv.StatusCode.Should().Be(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var csvLines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        csvLines[0].Should().StartWith("guest_name,guest_email,reason,ticket_type,seat,order_number");
        csvLines.Skip(1).Should().HaveCount(3).And.Contain(l => l.StartsWith("Cleo Artist,,artist,Standard,STALLS-B-1,", StringComparison.Ordinal));

        // At the gate: the comp's ticket admits once, as any ticket does.
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1 and line_number = 3", orderId);
        var venueId = await fixture.Database.ScalarAsync<Guid>("select venue_id from orders.events where id = $1", eventId);
        var device = await fixture.Personas.DeviceAsync(admin, organizerId, venueId);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string?>("select status from scanning.tickets where id = $1", ticketId) == "active"
            && await fixture.Database.ScalarAsync<long>("select count(*) from scanning.devices where id = $1", device.DeviceId) == 1, "the gate knows the comp ticket and the device");
        using var offline = await Client.SendAsync(admin, HttpMethod.Get, $"/api/tickets/{ticketId}/offline");
        var secret = await offline.ShouldBeAsync(HttpStatusCode.OK);
        var code = TicketCode.Current(ticketId, Base64Url.DecodeFromChars(secret.Text("secret")), DateTimeOffset.UtcNow, secret.GetProperty("stepSeconds").GetInt32());
        var first = await ScanAsync(device, eventId, code);
        var second = await ScanAsync(device, eventId, code);

        first.GetProperty("allowed").GetBoolean().Should().BeTrue(first.ToString());
        second.GetProperty("allowed").GetBoolean().Should().BeFalse("a comp admits once, like any ticket");
        await Invariants.CheckAsync(fixture.Database, Client, eventId);
    }

    [Fact]
    public async Task A_csv_guest_list_with_errors_is_refused_with_line_numbers_and_issues_nothing_and_a_good_one_fills_general_admission_to_capacity_only()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(("Floor", 2_500, 3));
        const string bad = "name,email,reason,ticket_type\nAda,ada@example.com,press,Floor\n,x@example.com,press,Floor\nBen,not-an-address,staff,Floor\nCleo,,bribe,Balcony\n";

        using var refused = await IssueAsync(admin, organizerId, eventId, "csv-bad", CsvContent(bad));
        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_guest_list");
        var errors = problem.Body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        errors.Should().BeEquivalentTo([(3, "name"), (4, "email"), (5, "reason"), (5, "ticket_type")]);
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where event_id = $1", eventId)).Should().Be(0, "nothing was issued");

        const string good = "ticket_type,name,reason\nFloor,Ada,staff\nFloor,Ben,staff\nFloor,\"Cleo, the drummer\",artist\n";
        using var issued = await IssueAsync(admin, organizerId, eventId, "csv-good", CsvContent(good));
        var orderId = (await issued.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        await fixture.OrderReachesAsync(admin, orderId, "confirmed");
        using var full = await IssueAsync(admin, organizerId, eventId, "csv-more", CsvContent("name,reason,ticket_type\nDan,staff,Floor\n"));
        await full.ShouldBeProblemAsync(HttpStatusCode.Conflict, "sold_out");

        var fan = await fixture.Personas.FanAsync();
        using var hold = await Client.SendAsync(fan, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds",
            new { generalAdmission = new[] { new { ticketTypeId = await FloorTypeAsync(eventId), quantity = 1 } } });
        hold.StatusCode.Should().Be(HttpStatusCode.Conflict, "the comps used the floor's whole capacity");
        (await fixture.Database.ScalarAsync<string>("select guest_name from orders.order_lines where order_id = $1 and line_number = 3", orderId)).Should().Be("Cleo, the drummer");
    }

    [Fact]
    public async Task A_free_ticket_type_checks_out_without_fees_or_a_payment_intent()
    {
        var (_, _, eventId) = await fixture.OnSaleEventAsync(("Open rehearsal", 0, 10));
        var fan = await fixture.Personas.FanAsync();

        var hold = await fixture.HoldAsync(fan, eventId, new { generalAdmission = new[] { new { ticketTypeId = await FloorTypeAsync(eventId), quantity = 2 } } });
        var order = await fixture.CheckedOutAsync(fan, eventId, hold);
        var confirmed = await fixture.OrderReachesAsync(fan, order.GetProperty("id").GetGuid(), "confirmed");

        order.GetProperty("amounts").GetProperty("total").GetInt64().Should().Be(0, "a free ticket carries no fees");
        (!confirmed.TryGetProperty("payment", out var payment) || payment.ValueKind == JsonValueKind.Null).Should().BeTrue("there was nothing to pay");
        (await fixture.Database.ScalarAsync<string?>("select payment_intent_id from orders.orders where id = $1", confirmed.GetProperty("id").GetGuid())).Should().BeNull();
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status = 'active'", confirmed.GetProperty("id").GetGuid())).Should().Be(2);
    }

    [Fact]
    public async Task Only_the_organizers_own_admins_issue_comps_or_read_the_guest_list()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync();
        var (otherAdmin, otherOrganizer) = await fixture.Personas.OrganizerAdminAsync();
        var fan = await fixture.Personas.FanAsync();
        var body = new { guests = new[] { new { name = "Eve", reason = "guest", ticketType = "Premium" } } };

        using var byOther = await IssueAsync(otherAdmin, organizerId, eventId, "x", JsonContent(body));
        using var foreignEvent = await IssueAsync(otherAdmin, otherOrganizer, eventId, "x", JsonContent(body));
        using var byFan = await IssueAsync(fan, organizerId, eventId, "x", JsonContent(body));
        using var listByOther = await Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/guest-list");
        using var noKey = await Client.SendAsync(admin, HttpMethod.Post, $"/api/orders/organizers/{organizerId}/events/{eventId}/comps", body);

        await byOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await foreignEvent.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        byFan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await listByOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await noKey.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_required");
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where event_id = $1", eventId)).Should().Be(0);
    }

    private async Task<HttpResponseMessage> IssueAsync(Person admin, Guid organizerId, Guid eventId, string key, HttpContent content)
    {
        using var request = admin.Request(HttpMethod.Post, $"/api/orders/organizers/{organizerId}/events/{eventId}/comps");
        request.Headers.Add("Idempotency-Key", key);
        request.Content = content;
        return await Client.SendAsync(request);
    }

    private Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code) => Client.ScanInAsync(device, eventId, code, "Press entrance");

    private Task<Guid> FloorTypeAsync(Guid eventId) =>
        fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    private static StringContent CsvContent(string csv) => new(csv, Encoding.UTF8, "text/csv");
}
