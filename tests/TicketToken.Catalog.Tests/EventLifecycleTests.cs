using System.Net;
using TicketToken.Testing;

namespace TicketToken.Catalog.Tests;

/// <summary>draft → published → on_sale → completed, or cancelled; every other move is a 409 with a code.</summary>
public sealed class EventLifecycleTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task An_event_goes_from_draft_through_sale_to_completed_once_it_has_started()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var created = await fixture.EventAsync(organizer, venue, change: body =>
        {
            body["startsAt"] = startsAt;
            body["endsAt"] = startsAt.AddHours(2);
            body["ticketTypes"] = new[] { new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 1500 } };
        });
        var id = created.Id();

        var published = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish");
        var onSale = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/open-sales");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/complete", HttpStatusCode.Conflict, "event_not_started");
        await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > startsAt.AddMilliseconds(200)), "the event to start");
        var completed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/complete");

        created.Text("status").Should().Be("draft");
        created.GetProperty("version").GetInt64().Should().Be(0);
        published.Text("status").Should().Be("published");
        published.GetProperty("version").GetInt64().Should().Be(1);
        published.GetProperty("publishedAt").ValueKind.Should().Be(System.Text.Json.JsonValueKind.String);
        onSale.Text("status").Should().Be("on_sale");
        completed.Text("status").Should().Be("completed");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/cancel", HttpStatusCode.Conflict, "invalid_transition", new { reason = "Too late" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish", HttpStatusCode.Conflict, "invalid_transition");
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}")).Text("status").Should().Be("completed");
    }

    [Fact]
    public async Task Moves_the_lifecycle_does_not_allow_are_409_invalid_transition()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var draft = (await fixture.EventAsync(organizer, venue, change: body =>
            body["ticketTypes"] = new[] { new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 1500 } })).Id();

        var openDraft = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/open-sales", HttpStatusCode.Conflict, "invalid_transition");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/complete", HttpStatusCode.Conflict, "invalid_transition");
        var cancelled = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/cancel", new { reason = "Venue double-booked" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/publish", HttpStatusCode.Conflict, "invalid_transition");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/open-sales", HttpStatusCode.Conflict, "invalid_transition");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/cancel", HttpStatusCode.Conflict, "invalid_transition", new { reason = "Again" });

        openDraft.Title.Should().Contain("draft");
        cancelled.Text("status").Should().Be("cancelled");
        cancelled.Text("cancellationReason").Should().Be("Venue double-booked");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/events/{draft}", HttpStatusCode.NotFound, "event_not_found");
    }

    [Fact]
    public async Task Publishing_needs_ticket_types_and_a_sales_window_still_open_and_changes_only_drafts()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var bare = (await fixture.EventAsync(organizer, venue)).Id();

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{bare}/publish", HttpStatusCode.Conflict, "no_ticket_types");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{bare}/ticket-types",
            new { name = "Standing", kind = "general_admission", capacity = 10, priceMinor = 0 }, HttpStatusCode.Created);
        var changed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{bare}", new { name = "Renamed", limits = new { perOrder = 2, perAccount = 4 } });
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{bare}/publish");

        changed.Text("name").Should().Be("Renamed");
        changed.GetProperty("limits").GetProperty("perOrder").GetInt32().Should().Be(2);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{bare}", HttpStatusCode.Conflict, "event_not_draft", new { name = "Too late" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{bare}/ticket-types", HttpStatusCode.Conflict, "event_not_draft",
            new { name = "More", kind = "general_admission", capacity = 10, priceMinor = 0 });

        var closing = DateTimeOffset.UtcNow;
        var closed = (await fixture.EventAsync(organizer, venue, change: body =>
        {
            body["salesStartAt"] = closing.AddSeconds(-10);
            body["salesEndAt"] = closing.AddSeconds(1);
            body["ticketTypes"] = new[] { new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 1500 } };
        })).Id();
        await Eventually.TrueAsync(() => Task.FromResult(DateTimeOffset.UtcNow > closing.AddSeconds(1.2)), "the sales window to close");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{closed}/publish", HttpStatusCode.Conflict, "sales_window_closed");
    }

    [Fact]
    public async Task Publishing_checks_that_reserved_zones_have_seats_and_the_venue_holds_everything()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, capacity: 10);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, "section,row,seat,zone,blocked\nA,1,1,OPEN,\nA,1,2,OPEN,\nA,1,3,KILLED,yes\n");
        var killedZone = (await fixture.EventAsync(organizer, venue, seatMap, body =>
            body["ticketTypes"] = new[] { new { name = "Killed", kind = "reserved", priceZone = "KILLED", priceMinor = 100 } })).Id();
        var tooBig = (await fixture.EventAsync(organizer, venue, seatMap, body => body["ticketTypes"] = new object[]
        {
            new { name = "Seats", kind = "reserved", priceZone = "OPEN", priceMinor = 100 },
            new { name = "Standing", kind = "general_admission", capacity = 9, priceMinor = 50 },
        })).Id();

        var noSeats = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{killedZone}/publish", HttpStatusCode.Conflict, "zone_has_no_seats");
        var overCapacity = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{tooBig}/publish", HttpStatusCode.Conflict, "over_capacity");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"/api/events/{tooBig}/ticket-types/{(await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{tooBig}/ticket-types"))[1].Id()}", new { capacity = 8 });
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{tooBig}/publish");

        noSeats.Detail.Should().Contain("KILLED");
        overCapacity.Detail.Should().Contain("11 tickets").And.Contain("capacity of 10");
    }

    [Theory]
    [InlineData("endsAt", "-01:00:00", "invalid_event_times")]
    [InlineData("startsAt", "past", "invalid_event_times")]
    [InlineData("salesEndAt", "+04:00:00", "invalid_sales_window")]
    [InlineData("salesStartAt", "+02:00:00", "invalid_sales_window")]
    [InlineData("currency", "eur", "validation_failed")]
    [InlineData("currency", "EURO", "validation_failed")]
    [InlineData("name", "", "validation_failed")]
    [InlineData("category", "!!", "validation_failed")]
    [InlineData("limits", "5/2", "invalid_limits")]
    [InlineData("limits", "0/2", "validation_failed")]
    [InlineData("resale", "royalty 20000", "validation_failed")]
    [InlineData("startsAt", null, "validation_failed")]
    [InlineData("venueId", null, "validation_failed")]
    public async Task Bad_event_input_is_a_400_with_a_code_and_creates_nothing(string field, string? value, string code)
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var body = Catalog.EventBody(organizer.Id, venue);
        var startsAt = (DateTimeOffset)body["startsAt"]!;
        body[field] = (field, value) switch
        {
            ("endsAt", _) => startsAt.AddHours(-1),
            ("startsAt", "past") => DateTimeOffset.UtcNow.AddDays(-1),
            ("salesEndAt", _) => startsAt.AddHours(4),
            ("salesStartAt", _) => startsAt.AddHours(2),
            ("limits", "5/2") => new { perOrder = 5, perAccount = 2 },
            ("limits", _) => new { perOrder = 0, perAccount = 2 },
            ("resale", _) => new { allowed = true, priceCapPercent = 110, royaltyBasisPoints = 20_000 },
            (_, null) => null,
            _ => value,
        };
        if (field == "startsAt" && value == "past")
        {
            body["endsAt"] = DateTimeOffset.UtcNow.AddHours(-20);
        }

        if (field == "salesStartAt")
        {
            body["salesEndAt"] = startsAt.AddHours(1);
        }

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.BadRequest, code, body);
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events?organizerId={organizer.Id}")).Items().Should().BeEmpty();
    }

    [Fact]
    public async Task Unknown_events_and_malformed_ids_are_404()
    {
        var organizer = await fixture.OrganizerAsync();

        await fixture.ExpectProblemAsync(null, HttpMethod.Get, $"/api/events/{Guid.NewGuid()}", HttpStatusCode.NotFound, "event_not_found");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{Guid.NewGuid()}/publish", HttpStatusCode.NotFound, "event_not_found");
        await fixture.ExpectProblemAsync(null, HttpMethod.Get, "/api/events/not-a-guid", HttpStatusCode.NotFound, "not_found");
    }
}
