using System.Net;
using System.Text.Json;

namespace TicketToken.Catalog.Tests;

/// <summary>Season and multi-day passes as catalog products (docs/adr/0023): what an organizer may put into one, and who sees it.</summary>
public sealed class PassTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task A_seated_pass_over_the_three_occurrences_of_a_series_lists_them_in_order_and_is_public_once_all_are()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 2, 5));
        var events = await SeriesAsync(organizer, venue, seatMap, 3, new { name = "Stalls", kind = "reserved", priceZone = "STD", priceMinor = 4_500 });

        // Named out of order: the pass reads in the order its events happen.
        var pass = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/passes",
            PassBody(organizer.Id, [events[2], events[0], events[1]], "Stalls", 11_900), HttpStatusCode.Created);

        pass.GetProperty("kind").GetString().Should().Be("reserved");
        pass.Id("seatMapId").Should().Be(seatMap);
        pass.GetProperty("priceZone").GetString().Should().Be("STD");
        pass.GetProperty("priceMinor").GetInt64().Should().Be(11_900);
        pass.GetProperty("currency").GetString().Should().Be("EUR");
        pass.GetProperty("events").EnumerateArray().Select(e => e.Id("eventId")).Should().Equal(events);
        pass.GetProperty("public").GetBoolean().Should().BeFalse("its events are drafts");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/passes/{pass.Id()}", HttpStatusCode.NotFound, "pass_not_found");
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/passes/{pass.Id()}")).Id().Should().Be(pass.Id());

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{events[0]}/publish");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{events[1]}/publish");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/passes/{pass.Id()}", HttpStatusCode.NotFound, "pass_not_found");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{events[2]}/publish");
        var browsed = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/passes/{pass.Id()}");
        browsed.GetProperty("public").GetBoolean().Should().BeTrue();
        browsed.GetProperty("events").EnumerateArray().Should().OnlyContain(e => e.GetProperty("status").GetString() == "published");
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/passes?organizerId={organizer.Id}")).Items().Select(p => p.Id()).Should().Contain(pass.Id());
    }

    [Fact]
    public async Task A_general_admission_pass_takes_the_days_of_a_festival_each_with_its_own_ticket_type()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var days = new List<Guid>();
        for (var day = 0; day < 3; day++)
        {
            var start = DateTimeOffset.UtcNow.Date.AddDays(40 + day).AddHours(12);
            days.Add((await fixture.EventAsync(organizer, venue, change: body => body.With("name", $"Festival day {day + 1}")
                .With("startsAt", new DateTimeOffset(start, TimeSpan.Zero)).With("endsAt", new DateTimeOffset(start.AddHours(10), TimeSpan.Zero))
                .With("ticketTypes", new[] { new { name = "Weekend", kind = "general_admission", capacity = 500, priceMinor = 6_000 } }))).Id());
        }

        var pass = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/passes", PassBody(organizer.Id, days, "Weekend", 14_000), HttpStatusCode.Created);

        pass.GetProperty("kind").GetString().Should().Be("general_admission");
        pass.GetProperty("seatMapId").ValueKind.Should().Be(JsonValueKind.Null);
        var ticketTypes = pass.GetProperty("events").EnumerateArray().Select(e => e.Id("ticketTypeId")).ToList();
        ticketTypes.Should().OnlyHaveUniqueItems("each day has its own Weekend type");
        for (var i = 0; i < days.Count; i++)
        {
            (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{days[i]}/ticket-types/{ticketTypes[i]}")).GetProperty("name").GetString().Should().Be("Weekend");
        }
    }

    [Fact]
    public async Task A_seated_pass_needs_one_seat_map_one_zone_and_the_ticket_type_at_every_event()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var small = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 2, 5), "Small");
        var large = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 4, 5), "Large");
        var onSmall = await SeriesAsync(organizer, venue, small, 2, new { name = "Stalls", kind = "reserved", priceZone = "STD", priceMinor = 4_500 });
        var onLarge = await SeriesAsync(organizer, venue, large, 1, new { name = "Stalls", kind = "reserved", priceZone = "STD", priceMinor = 4_500 });
        var standing = (await fixture.EventAsync(organizer, venue, change: body =>
            body.With("ticketTypes", new[] { new { name = "Stalls", kind = "general_admission", capacity = 100, priceMinor = 2_000 } }))).Id();
        var other = (await fixture.EventAsync(organizer, venue, change: body =>
            body.With("ticketTypes", new[] { new { name = "Balcony", kind = "general_admission", capacity = 100, priceMinor = 2_000 } }))).Id();

        var differentMaps = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.BadRequest, "invalid_pass",
            PassBody(organizer.Id, [.. onSmall, .. onLarge], "Stalls", 9_000));
        var mixed = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.BadRequest, "invalid_pass",
            PassBody(organizer.Id, [onSmall[0], standing], "Stalls", 9_000));
        var missingType = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.BadRequest, "invalid_pass",
            PassBody(organizer.Id, [standing, other], "Stalls", 9_000));
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.BadRequest, "invalid_pass",
            PassBody(organizer.Id, [onSmall[0], onSmall[0]], "Stalls", 9_000));

        differentMaps.Body.GetProperty("detail").GetString().Should().Contain("seat map");
        mixed.Body.GetProperty("detail").GetString().Should().Contain("general admission");
        missingType.Body.GetProperty("detail").GetString().Should().Contain(other.ToString());
    }

    [Fact]
    public async Task Cancelled_events_and_another_organizers_events_or_passes_are_refused_without_saying_they_exist()
    {
        var mine = await fixture.OrganizerAsync("Mine Live");
        var theirs = await fixture.OrganizerAsync("Theirs Live");
        var myVenue = await fixture.VenueAsync(mine);
        var theirVenue = await fixture.VenueAsync(theirs);
        var myEvents = await SeriesAsync(mine, myVenue, null, 2, new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2_500 });
        var theirEvent = (await fixture.PublishedEventAsync(theirs, theirVenue)).Id();
        var theirPass = await fixture.ExpectAsync(theirs.Admin, HttpMethod.Post, "/api/passes",
            PassBody(theirs.Id, await SeriesAsync(theirs, theirVenue, null, 2, new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2_500 }),
                "Standing", 4_000), HttpStatusCode.Created);

        await fixture.ExpectProblemAsync(mine.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.NotFound, "event_not_found",
            PassBody(mine.Id, [myEvents[0], theirEvent], "Standing", 4_000));
        await fixture.ExpectProblemAsync(mine.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.NotFound, "organizer_not_found",
            PassBody(theirs.Id, [myEvents[0], myEvents[1]], "Standing", 4_000));
        await fixture.ExpectProblemAsync(mine.Admin, HttpMethod.Get, $"/api/passes/{theirPass.Id()}", HttpStatusCode.NotFound, "pass_not_found");
        await fixture.ExpectProblemAsync(mine.Admin, HttpMethod.Get, $"/api/passes?organizerId={theirs.Id}", HttpStatusCode.NotFound, "organizer_not_found");
        (await fixture.ExpectAsync(mine.Admin, HttpMethod.Get, "/api/passes")).Items().Should().NotContain(p => p.Id() == theirPass.Id());

        await fixture.ExpectAsync(mine.Admin, HttpMethod.Post, $"/api/events/{myEvents[1]}/cancel", new { reason = "Storm." });
        var cancelled = await fixture.ExpectProblemAsync(mine.Admin, HttpMethod.Post, "/api/passes", HttpStatusCode.BadRequest, "invalid_pass",
            PassBody(mine.Id, myEvents, "Standing", 4_000));
        cancelled.Body.GetProperty("detail").GetString().Should().Contain("cancelled");
    }

    [Fact]
    public async Task Bad_pass_requests_are_400_problems_that_change_nothing()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var events = await SeriesAsync(organizer, venue, null, 2, new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2_500 });
        object[] bodies =
        [
            new { organizerId = organizer.Id, name = "One", eventIds = new[] { events[0] }, ticketType = "Standing", priceMinor = 100 },
            new { organizerId = organizer.Id, name = "Negative", eventIds = events, ticketType = "Standing", priceMinor = -1 },
            new { organizerId = organizer.Id, name = "", eventIds = events, ticketType = "Standing", priceMinor = 100 },
            new { organizerId = organizer.Id, name = "No type", eventIds = events, priceMinor = 100 },
            new { organizerId = organizer.Id, name = "No price", eventIds = events, ticketType = "Standing" },
            new { organizerId = organizer.Id, name = "Too dear", eventIds = events, ticketType = "Standing", priceMinor = 9_000_000_000_000L },
            new { organizerId = organizer.Id, name = "Many", eventIds = Enumerable.Range(0, 101).Select(_ => Guid.NewGuid()).ToArray(), ticketType = "Standing", priceMinor = 100 },
        ];
        foreach (var body in bodies)
        {
            using var response = await fixture.Client.SendAsync(organizer.Admin, HttpMethod.Post, "/api/passes", body);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, JsonSerializer.Serialize(body));
        }

        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/passes?organizerId={organizer.Id}")).Items().Should().BeEmpty();
        await fixture.ExpectProblemAsync(null, HttpMethod.Post, "/api/passes", HttpStatusCode.Unauthorized, "unauthenticated", PassBody(organizer.Id, events, "Standing", 100));
        var fan = await fixture.Personas.FanAsync();
        await fixture.ExpectProblemAsync(fan, HttpMethod.Post, "/api/passes", HttpStatusCode.Forbidden, "forbidden", PassBody(organizer.Id, events, "Standing", 100));
    }

    private static object PassBody(Guid organizerId, IReadOnlyList<Guid> eventIds, string ticketType, long priceMinor) =>
        new { organizerId, name = "Season pass", description = "Every evening of the season.", eventIds, ticketType, priceMinor };

    /// <summary>A weekly series of <paramref name="count"/> draft events with one ticket type, in the order they happen.</summary>
    private async Task<List<Guid>> SeriesAsync(Organizer organizer, Guid venue, Guid? seatMap, int count, object ticketType)
    {
        var series = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, "/api/events", Catalog.EventBody(organizer.Id, venue, seatMap)
            .With("recurrence", new { frequency = "weekly", interval = 1, count })
            .With("ticketTypes", new[] { ticketType }), HttpStatusCode.Created);
        var listed = (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events?seriesId={series.Id("seriesId")}")).Items();
        return [.. listed.OrderBy(e => e.GetProperty("startsAt").GetDateTimeOffset()).Select(e => e.Id())];
    }
}
