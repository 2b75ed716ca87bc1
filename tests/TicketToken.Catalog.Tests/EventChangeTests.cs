using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// Changing a published event: each change is decided on a version (a stale one is refused), makes the next version,
/// is kept in the organizer's history and is announced as that version with what changed.
/// </summary>
public sealed class EventChangeTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task A_reschedule_makes_the_next_version_is_announced_with_its_refund_deadline_and_kept_in_the_history()
    {
        var organizer = await fixture.OrganizerAsync();
        var published = await fixture.PublishedEventAsync(organizer, await fixture.VenueAsync(organizer));
        var id = published.Id();
        var startsAt = published.GetProperty("startsAt").GetDateTimeOffset();
        published.GetProperty("version").GetInt64().Should().Be(1);

        var moved = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/reschedule", new
        {
            expectedVersion = 1, startsAt = startsAt.AddDays(7), endsAt = startsAt.AddDays(7).AddHours(3), refundWindowDays = 14, reason = "The singer is ill.",
        });

        moved.GetProperty("version").GetInt64().Should().Be(2);
        moved.GetProperty("startsAt").GetDateTimeOffset().Should().Be(startsAt.AddDays(7));
        moved.GetProperty("salesEndAt").GetDateTimeOffset().Should().Be(published.GetProperty("salesEndAt").GetDateTimeOffset().AddDays(7), "sales keep their distance to the start");
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id && e.GetProperty("version").GetInt64() == 2);
        message.GetProperty("startsAt").GetDateTimeOffset().Should().Be(startsAt.AddDays(7));
        var change = message.GetProperty("change");
        change.Text("kind").Should().Be("rescheduled");
        change.GetProperty("previousStartsAt").GetDateTimeOffset().Should().Be(startsAt);
        (change.GetProperty("refundUntil").GetDateTimeOffset() - change.GetProperty("changedAt").GetDateTimeOffset()).Should().Be(TimeSpan.FromDays(14));
        change.Text("reason").Should().Be("The singer is ill.");

        var history = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{id}/changes");
        history.GetArrayLength().Should().Be(1);
        history[0].GetProperty("version").GetInt64().Should().Be(2);
        history[0].Text("kind").Should().Be("rescheduled");
        history[0].GetProperty("details").GetProperty("previousStartsAt").GetDateTimeOffset().Should().Be(startsAt);
        history[0].GetProperty("changedBy").GetGuid().Should().Be(organizer.Admin.UserId);
    }

    [Fact]
    public async Task A_change_decided_on_a_stale_version_is_refused_with_409_and_changes_nothing()
    {
        var organizer = await fixture.OrganizerAsync();
        var id = (await fixture.PublishedEventAsync(organizer, await fixture.VenueAsync(organizer))).Id();
        var standing = (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}/ticket-types"))[0].Id();
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/prices", new { expectedVersion = 1, prices = new[] { new { ticketTypeId = standing, priceMinor = 3000 } } });

        var problem = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/prices", HttpStatusCode.Conflict, "event_version_conflict",
            new { expectedVersion = 1, prices = new[] { new { ticketTypeId = standing, priceMinor = 1000 } } });

        problem.Detail.Should().Contain("version 2");
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}/ticket-types"))[0].GetProperty("priceMinor").GetInt64().Should().Be(3000);
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}")).GetProperty("version").GetInt64().Should().Be(2);
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{id}/changes")).GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Venue_details_are_shown_to_fans_and_announced_while_the_seat_map_stays()
    {
        var organizer = await fixture.OrganizerAsync();
        var id = (await fixture.PublishedEventAsync(organizer, await fixture.VenueAsync(organizer))).Id();
        var startsAt = (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}")).GetProperty("startsAt").GetDateTimeOffset();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/venue-details", new
        {
            expectedVersion = 1, venueName = "Main Hall (side entrance)", venueAddress = "Hinterhof 2, 10115 Berlin", doorsAt = startsAt.AddHours(-1),
        });

        var shown = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}");
        shown.Text("venueName").Should().Be("Main Hall (side entrance)");
        shown.Text("venueAddress").Should().Be("Hinterhof 2, 10115 Berlin");
        shown.GetProperty("doorsAt").GetDateTimeOffset().Should().Be(startsAt.AddHours(-1));
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id && e.GetProperty("version").GetInt64() == 2);
        (message.Text("venueName"), message.Text("venueAddress")).Should().Be(("Main Hall (side entrance)", "Hinterhof 2, 10115 Berlin"));
        message.GetProperty("change").Text("kind").Should().Be("venue_details");

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/venue-details", HttpStatusCode.BadRequest, "invalid_change",
            new { expectedVersion = 2, doorsAt = startsAt.AddHours(1) });
    }

    /// <summary>Raising a capacity asks inventory what is sold (the Orders journey tests cover it); adding a type does not.</summary>
    [Fact]
    public async Task Ticket_types_are_added_to_a_published_event_within_the_venue_and_without_inventory_a_capacity_change_is_refused_with_503()
    {
        var organizer = await fixture.OrganizerAsync();
        var id = (await fixture.PublishedEventAsync(organizer, await fixture.VenueAsync(organizer, capacity: 300))).Id();
        var standing = (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}/ticket-types"))[0].Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/capacity", new
        {
            expectedVersion = 1, add = new[] { new { name = "Balcony", kind = "general_admission", capacity = 150, priceMinor = 4000 } },
        });

        var types = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}/ticket-types");
        types.EnumerateArray().Select(t => (t.Text("name"), t.GetProperty("capacity").GetInt32())).Should().BeEquivalentTo(new[] { ("Standing", 100), ("Balcony", 150) });
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id && e.GetProperty("version").GetInt64() == 2);
        message.GetProperty("ticketTypes").GetArrayLength().Should().Be(2);
        message.GetProperty("change").Text("kind").Should().Be("capacity");

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/capacity", HttpStatusCode.Conflict, "over_capacity",
            new { expectedVersion = 2, add = new[] { new { name = "Terrace", kind = "general_admission", capacity = 51, priceMinor = 1 } } });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/capacity", HttpStatusCode.Conflict, "ticket_type_name_taken",
            new { expectedVersion = 2, add = new[] { new { name = "balcony", kind = "general_admission", capacity = 1, priceMinor = 1 } } });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/capacity", HttpStatusCode.ServiceUnavailable, "inventory_unavailable",
            new { expectedVersion = 2, capacities = new[] { new { ticketTypeId = standing, capacity = 120 } } });
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}")).GetProperty("version").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Only_a_published_event_changes_this_way()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var draft = await fixture.EventAsync(organizer, venue);
        var startsAt = draft.GetProperty("startsAt").GetDateTimeOffset();

        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft.Id()}/changes/reschedule", HttpStatusCode.Conflict, "event_not_changeable",
            new { expectedVersion = 0, startsAt = startsAt.AddDays(1), endsAt = startsAt.AddDays(1).AddHours(2), refundWindowDays = 7, reason = "Moved" });

        var cancelled = (await fixture.PublishedEventAsync(organizer, venue)).Id();
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{cancelled}/cancel", new { reason = "Called off" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{cancelled}/changes/venue-details", HttpStatusCode.Conflict, "event_not_changeable",
            new { expectedVersion = 1, venueName = "Elsewhere" });
    }

    [Fact]
    public async Task Another_organizer_neither_changes_an_event_nor_reads_its_history()
    {
        var owner = await fixture.OrganizerAsync();
        var id = (await fixture.PublishedEventAsync(owner, await fixture.VenueAsync(owner))).Id();
        var stranger = await fixture.OrganizerAsync("Other Live");

        await fixture.ExpectProblemAsync(stranger.Admin, HttpMethod.Get, $"/api/events/{id}/changes", HttpStatusCode.NotFound, "event_not_found");
        await fixture.ExpectProblemAsync(stranger.Admin, HttpMethod.Post, $"/api/events/{id}/changes/venue-details", HttpStatusCode.NotFound, "event_not_found",
            new { expectedVersion = 1, venueName = "Mine now" });
        (await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{id}")).GetProperty("version").GetInt64().Should().Be(1);
    }
}
