using System.Net;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// DESIGN.md invariant 6: another organizer's venue, seat map, event or ticket type is answered 404 (never 403, which
/// would confirm it exists) and cannot be changed; drafts stay invisible to everyone but their organizer's staff.
/// </summary>
public sealed class TenantIsolationTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task The_admin_of_another_organizer_gets_404_for_everything_of_organizer_A()
    {
        var a = await fixture.OrganizerAsync("Organizer A");
        var b = await fixture.OrganizerAsync("Organizer B");
        var venue = await fixture.VenueAsync(a);
        var seatMap = await fixture.SeatMapAsync(a, venue, Catalog.Csv(1, 2, 3));
        var draft = (await fixture.EventAsync(a, venue, seatMap, body =>
            body["ticketTypes"] = new[] { new { name = "Seats", kind = "reserved", priceZone = "STD", priceMinor = 1000 } })).Id();
        var ticketType = (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/events/{draft}/ticket-types")).EnumerateArray().Single().Id();
        var intruder = b.Admin;

        (HttpMethod Method, string Path, object? Body, string Code)[] attempts =
        [
            (HttpMethod.Get, $"/api/venues/{venue}", null, "venue_not_found"),
            (HttpMethod.Patch, $"/api/venues/{venue}", new { name = "Hijacked" }, "venue_not_found"),
            (HttpMethod.Get, $"/api/venues?organizerId={a.Id}", null, "organizer_not_found"),
            (HttpMethod.Get, $"/api/venues/{venue}/seatmaps", null, "venue_not_found"),
            (HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{seatMap}", null, "venue_not_found"),
            (HttpMethod.Delete, $"/api/venues/{venue}/seatmaps/{seatMap}", null, "venue_not_found"),
            (HttpMethod.Get, $"/api/venues/{b.Id}/seatmaps/{seatMap}", null, "venue_not_found"),
            (HttpMethod.Post, "/api/venues", Catalog.VenueBody(a.Id), "organizer_not_found"),
            (HttpMethod.Post, "/api/events", Catalog.EventBody(a.Id, venue), "organizer_not_found"),
            (HttpMethod.Post, "/api/events", Catalog.EventBody(b.Id, venue), "venue_not_found"),
            (HttpMethod.Get, $"/api/events/{draft}", null, "event_not_found"),
            (HttpMethod.Patch, $"/api/events/{draft}", new { name = "Hijacked" }, "event_not_found"),
            (HttpMethod.Post, $"/api/events/{draft}/publish", null, "event_not_found"),
            (HttpMethod.Post, $"/api/events/{draft}/cancel", new { reason = "Because I can" }, "event_not_found"),
            (HttpMethod.Get, $"/api/events/{draft}/ticket-types", null, "event_not_found"),
            (HttpMethod.Get, $"/api/events/{draft}/ticket-types/{ticketType}", null, "event_not_found"),
            (HttpMethod.Post, $"/api/events/{draft}/ticket-types", new { name = "Free", kind = "general_admission", capacity = 10, priceMinor = 0 }, "event_not_found"),
            (HttpMethod.Patch, $"/api/events/{draft}/ticket-types/{ticketType}", new { priceMinor = 1 }, "event_not_found"),
            (HttpMethod.Delete, $"/api/events/{draft}/ticket-types/{ticketType}", null, "event_not_found"),
        ];
        foreach (var (method, path, body, code) in attempts)
        {
            var problem = await fixture.ExpectProblemAsync(intruder, method, path, HttpStatusCode.NotFound, code, body);

            problem.Body.ToString().Should().NotContain("Organizer A").And.NotContain("Evening Concert");
        }

        using (var import = await fixture.ImportCsvAsync(intruder, venue, Catalog.Csv(1, 1, 1)))
        {
            await import.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        }

        var stillDraft = await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/events/{draft}");
        stillDraft.Text("status").Should().Be("draft");
        stillDraft.Text("name").Should().Be("Evening Concert");
        (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/venues/{venue}")).Text("name").Should().Be("Main Hall");
        (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{seatMap}")).GetProperty("seatCount").GetInt32().Should().Be(6);
        (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/events/{draft}/ticket-types")).EnumerateArray().Single().GetProperty("priceMinor").GetInt64().Should().Be(1000);
        (await fixture.ExpectAsync(intruder, HttpMethod.Get, "/api/venues")).Items().Should().BeEmpty();
    }

    [Fact]
    public async Task A_seat_map_of_another_venue_cannot_be_used_for_an_event()
    {
        var a = await fixture.OrganizerAsync("Organizer A");
        var b = await fixture.OrganizerAsync("Organizer B");
        var venueOfB = await fixture.VenueAsync(b);
        var seatMapOfB = await fixture.SeatMapAsync(b, venueOfB, Catalog.Csv(1, 1, 2));
        var venueOfA = await fixture.VenueAsync(a);
        var otherVenueOfA = await fixture.VenueAsync(a, name: "Small Hall");
        var seatMapOfA = await fixture.SeatMapAsync(a, otherVenueOfA, Catalog.Csv(1, 1, 2));

        await fixture.ExpectProblemAsync(a.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.NotFound, "seat_map_not_found", Catalog.EventBody(a.Id, venueOfA, seatMapOfB));
        await fixture.ExpectProblemAsync(a.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.NotFound, "seat_map_not_found", Catalog.EventBody(a.Id, venueOfA, seatMapOfA));
        await fixture.ExpectProblemAsync(a.Admin, HttpMethod.Get, $"/api/venues/{venueOfA}/seatmaps/{seatMapOfA}", HttpStatusCode.NotFound, "seat_map_not_found");
    }

    [Fact]
    public async Task Drafts_are_seen_by_the_organizers_staff_and_by_nobody_else()
    {
        var a = await fixture.OrganizerAsync("Organizer A");
        var b = await fixture.OrganizerAsync("Organizer B");
        var boxOffice = await fixture.Personas.StaffAsync(a.Admin, a.Id, "box_office", fixture.Events);
        var fan = await fixture.Personas.FanAsync();
        var venue = await fixture.VenueAsync(a);
        var draft = (await fixture.EventAsync(a, venue)).Id();

        (await fixture.ExpectAsync(boxOffice, HttpMethod.Get, $"/api/events/{draft}")).Text("status").Should().Be("draft");
        foreach (var outsider in new[] { null, fan, b.Admin })
        {
            await fixture.ExpectProblemAsync(outsider, HttpMethod.Get, $"/api/events/{draft}", HttpStatusCode.NotFound, "event_not_found");
            var list = await fixture.ExpectAsync(outsider, HttpMethod.Get, $"/api/events?organizerId={a.Id}");
            list.Items().Should().BeEmpty();
        }

        (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, $"/api/events?organizerId={a.Id}")).Items().Select(e => e.Id()).Should().Equal(draft);
        (await fixture.ExpectAsync(boxOffice, HttpMethod.Get, $"/api/events?organizerId={a.Id}")).Items().Should().ContainSingle();
        (await fixture.ExpectAsync(a.Admin, HttpMethod.Get, "/api/events?q=Evening")).Items().Should().NotContain(e => e.Id() == draft,
            "the public browse shows announced events only, even to the organizer");
        using var publish = await fixture.Client.SendAsync(boxOffice, HttpMethod.Post, $"/api/events/{draft}/publish");
        publish.StatusCode.Should().Be(HttpStatusCode.Forbidden, "box office staff read events but do not manage them");
    }
}
