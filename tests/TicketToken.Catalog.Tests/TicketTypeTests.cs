using System.Net;

namespace TicketToken.Catalog.Tests;

/// <summary>Ticket types: reserved seating by price zone of the seat map, or general admission with a capacity; only while draft.</summary>
public sealed class TicketTypeTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task Ticket_types_are_added_read_changed_and_removed_while_the_event_is_a_draft()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 2, 2, (_, row, _) => row == 1 ? "FRONT" : "BACK"));
        var id = (await fixture.EventAsync(organizer, venue, seatMap)).Id();
        var path = $"/api/events/{id}/ticket-types";

        var front = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, path, new { name = "Front", kind = "reserved", priceZone = "FRONT", priceMinor = 7500 }, HttpStatusCode.Created);
        var standing = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, path, new { name = "Standing", kind = "general_admission", capacity = 200, priceMinor = 0 }, HttpStatusCode.Created);
        var changed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"{path}/{front.Id()}", new { priceMinor = 8000, priceZone = "BACK", name = "Back" });
        using var deleted = await fixture.Client.SendAsync(organizer.Admin, HttpMethod.Delete, $"{path}/{standing.Id()}");
        var list = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, path);

        front.Text("kind").Should().Be("reserved");
        front.Text("currency").Should().Be("EUR");
        standing.GetProperty("capacity").GetInt32().Should().Be(200);
        standing.GetProperty("priceMinor").GetInt64().Should().Be(0, "free tickets are tickets too");
        changed.GetProperty("priceMinor").GetInt64().Should().Be(8000);
        changed.Text("priceZone").Should().Be("BACK");
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        list.EnumerateArray().Select(t => t.Text("name")).Should().Equal("Back");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Get, $"{path}/{standing.Id()}", HttpStatusCode.NotFound, "ticket_type_not_found");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Delete, $"{path}/{standing.Id()}", HttpStatusCode.NotFound, "ticket_type_not_found");
    }

    [Fact]
    public async Task A_ticket_type_must_fit_the_seat_map_and_its_kind()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 1, 3, (_, _, _) => "MAIN"));
        var seated = (await fixture.EventAsync(organizer, venue, seatMap)).Id();
        var standingOnly = (await fixture.EventAsync(organizer, venue)).Id();

        (object Body, HttpStatusCode Status, string Code)[] refused =
        [
            (new { name = "VIP", kind = "reserved", priceZone = "VIP", priceMinor = 100 }, HttpStatusCode.BadRequest, "unknown_price_zone"),
            (new { name = "Any", kind = "reserved", priceMinor = 100 }, HttpStatusCode.BadRequest, "invalid_ticket_type"),
            (new { name = "Seats", kind = "reserved", priceZone = "MAIN", capacity = 5, priceMinor = 100 }, HttpStatusCode.BadRequest, "invalid_ticket_type"),
            (new { name = "Standing", kind = "general_admission", priceMinor = 100 }, HttpStatusCode.BadRequest, "invalid_ticket_type"),
            (new { name = "Standing", kind = "general_admission", priceZone = "MAIN", capacity = 5, priceMinor = 100 }, HttpStatusCode.BadRequest, "invalid_ticket_type"),
            (new { name = "Standing", kind = "general_admission", capacity = 0, priceMinor = 100 }, HttpStatusCode.BadRequest, "validation_failed"),
            (new { name = "Cheap", kind = "general_admission", capacity = 5, priceMinor = -1 }, HttpStatusCode.BadRequest, "validation_failed"),
            (new { name = "Vip", kind = "vip", capacity = 5, priceMinor = 1 }, HttpStatusCode.BadRequest, "validation_failed"),
            (new { name = "Free", kind = "general_admission", capacity = 5 }, HttpStatusCode.BadRequest, "validation_failed"),
        ];
        foreach (var (body, status, code) in refused)
        {
            await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{seated}/ticket-types", status, code, body);
        }

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{standingOnly}/ticket-types", HttpStatusCode.BadRequest, "no_seat_map",
            new { name = "Seats", kind = "reserved", priceZone = "MAIN", priceMinor = 100 });
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{seated}/ticket-types",
            new { name = "Main", kind = "reserved", priceZone = "MAIN", priceMinor = 100 }, HttpStatusCode.Created);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{seated}/ticket-types", HttpStatusCode.Conflict, "price_zone_taken",
            new { name = "Main again", kind = "reserved", priceZone = "MAIN", priceMinor = 200 });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{seated}/ticket-types", HttpStatusCode.Conflict, "ticket_type_name_taken",
            new { name = "MAIN", kind = "general_admission", capacity = 10, priceMinor = 200 });
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{seated}/ticket-types")).GetArrayLength().Should().Be(1);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.BadRequest, "unknown_price_zone",
            Catalog.EventBody(organizer.Id, venue, seatMap).With("ticketTypes", new[] { new { name = "X", kind = "reserved", priceZone = "NOPE", priceMinor = 1 } }));
    }

    [Fact]
    public async Task The_public_reads_the_prices_of_announced_events_and_not_of_drafts()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var published = await fixture.PublishedEventAsync(organizer, venue);
        var draft = (await fixture.EventAsync(organizer, venue, change: body =>
            body["ticketTypes"] = new[] { new { name = "Secret", kind = "general_admission", capacity = 5, priceMinor = 1 } })).Id();

        var prices = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{published.Id()}/ticket-types");
        var one = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{published.Id()}/ticket-types/{prices[0].Id()}");

        prices.EnumerateArray().Select(t => (t.Text("name"), t.GetProperty("priceMinor").GetInt64())).Should().Equal(("Standing", 2500L));
        one.Text("kind").Should().Be("general_admission");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/events/{draft}/ticket-types", HttpStatusCode.NotFound, "event_not_found");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Delete, $"/api/events/{published.Id()}/ticket-types/{prices[0].Id()}", HttpStatusCode.Conflict, "event_not_draft");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{published.Id()}/ticket-types/{prices[0].Id()}", HttpStatusCode.Conflict, "event_not_draft",
            new { priceMinor = 1 });
    }
}
