using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Tests;

/// <summary>What inventory and the rest of the platform hear: event.published with every seat, in order, and event.cancelled.</summary>
public sealed class PublishingTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task Publishing_announces_every_section_row_and_seat_in_order_with_ticket_types_limits_and_resale()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, timeZone: "Europe/London");
        var seatMap = (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", new
        {
            name = "Theatre",
            priceZones = new[] { new { code = "VIP", name = "VIP", colour = "#aa0000" }, new { code = "STD", name = "Standard", colour = "#00aa00" } },
            sections = new object[]
            {
                new
                {
                    code = "ORCH", name = "Orchestra",
                    rows = new object[]
                    {
                        new { label = "B", index = 1, seats = new object[] { new { number = "2", zone = "STD", x = 2, y = 1 }, new { number = "1", zone = "STD", x = 1, y = 1, blocked = true } } },
                        new { label = "A", index = 0, seats = new object[] { new { number = "1", zone = "VIP", x = 1, y = 0, accessible = true }, new { number = "2", zone = "VIP", x = 2, y = 0, companion = true } } },
                    },
                },
                new { code = "BALC", name = "Balcony", rows = new object[] { new { label = "A", seats = new object[] { new { number = "1", zone = "STD", x = 10, y = 0 } } } } },
            },
        }, HttpStatusCode.Created)).Id();
        var created = await fixture.EventAsync(organizer, venue, seatMap, body =>
        {
            body["limits"] = new { perOrder = 4, perAccount = 8 };
            body["resale"] = new { allowed = true, priceCapPercent = 110, royaltyBasisPoints = 500 };
            body["currency"] = "GBP";
            body["ticketTypes"] = new object[]
            {
                new { name = "VIP", kind = "reserved", priceZone = "VIP", priceMinor = 12000 },
                new { name = "Stalls", kind = "reserved", priceZone = "STD", priceMinor = 4500 },
                new { name = "Standing", kind = "general_admission", capacity = 50, priceMinor = 2000 },
            };
        });
        var id = created.Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish");
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id);

        message.GetProperty("organizerId").GetGuid().Should().Be(organizer.Id);
        message.GetProperty("venueId").GetGuid().Should().Be(venue);
        message.Text("timeZone").Should().Be("Europe/London");
        (message.Text("venueName"), message.Text("venueCity")).Should().Be(("Main Hall", "Berlin"));
        message.Text("currency").Should().Be("GBP");
        message.Text("name").Should().Be("Evening Concert");
        message.GetProperty("startsAt").GetDateTimeOffset().Should().Be(created.GetProperty("startsAt").GetDateTimeOffset());
        message.GetProperty("salesEndAt").GetDateTimeOffset().Should().Be(created.GetProperty("startsAt").GetDateTimeOffset());
        message.GetProperty("version").GetInt64().Should().Be(1);
        message.GetProperty("limits").GetProperty("perOrder").GetInt32().Should().Be(4);
        message.GetProperty("limits").GetProperty("perAccount").GetInt32().Should().Be(8);
        var resale = message.GetProperty("resale");
        (resale.GetProperty("allowed").GetBoolean(), resale.GetProperty("priceCapPercent").GetInt32(), resale.GetProperty("royaltyBasisPoints").GetInt32()).Should().Be((true, 110, 500));

        var sections = message.GetProperty("sections").EnumerateArray().ToList();
        sections.Select(s => (s.Text("code"), s.Text("name"))).Should().Equal(("ORCH", "Orchestra"), ("BALC", "Balcony"));
        var rows = sections[0].GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => (r.Text("label"), r.GetProperty("index").GetInt32())).Should().Equal(("A", 0), ("B", 1));
        var seats = sections.SelectMany(s => s.GetProperty("rows").EnumerateArray()).SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        seats.Select(s => s.Text("id")).Should().Equal("ORCH-A-1", "ORCH-A-2", "ORCH-B-2", "ORCH-B-1", "BALC-A-1");
        seats.Select(s => s.Text("priceZone")).Should().Equal("VIP", "VIP", "STD", "STD", "STD");
        seats.Select(s => s.Text("number")).Should().Equal("1", "2", "2", "1", "1");
        seats.Select(s => s.GetProperty("accessible").GetBoolean()).Should().Equal(true, false, false, false, false);
        seats.Select(s => s.GetProperty("companion").GetBoolean()).Should().Equal(false, true, false, false, false);
        seats.Select(s => s.GetProperty("blocked").GetBoolean()).Should().Equal(false, false, false, true, false);
        seats.Select(s => (s.GetProperty("x").GetDouble(), s.GetProperty("y").GetDouble())).Should().Equal((1d, 0d), (2d, 0d), (2d, 1d), (1d, 1d), (10d, 0d));

        var ticketTypes = message.GetProperty("ticketTypes").EnumerateArray().ToList();
        ticketTypes.Select(t => (t.Text("name"), t.Text("kind"), t.GetProperty("priceMinor").GetInt64())).Should().Equal(
            ("VIP", PublishedTicketType.Reserved, 12000L), ("Stalls", PublishedTicketType.Reserved, 4500L), ("Standing", PublishedTicketType.GeneralAdmission, 2000L));
        ticketTypes[0].Text("priceZone").Should().Be("VIP");
        ticketTypes[0].GetProperty("capacity").ValueKind.Should().Be(JsonValueKind.Null);
        ticketTypes[2].GetProperty("capacity").GetInt32().Should().Be(50);
        ticketTypes[2].GetProperty("priceZone").ValueKind.Should().Be(JsonValueKind.Null);
        var listed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{id}/ticket-types");
        ticketTypes.Select(t => t.Id()).Should().Equal(listed.EnumerateArray().Select(t => t.Id()));
    }

    [Fact]
    public async Task Seats_of_a_price_zone_the_event_does_not_sell_are_announced_blocked()
    {
        // Found by running the README tour: an evening priced only for STANDARD let a fan hold a PREMIUM seat that
        // checkout then could not price.
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, "section,row,seat,zone,accessible,companion,blocked,x,y\nS,A,1,PREMIUM,,,,,\nS,A,2,PREMIUM,,,,,\nS,B,1,STANDARD,,,,,\nS,B,2,STANDARD,,,,,\n");
        var id = (await fixture.EventAsync(organizer, venue, seatMap, body =>
            body["ticketTypes"] = new object[] { new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 4900 } })).Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish");
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id);

        var seats = message.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("rows").EnumerateArray())
            .SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        seats.Select(s => (s.Text("id"), s.Text("priceZone"), s.GetProperty("blocked").GetBoolean())).Should().Equal(
            ("S-A-1", "PREMIUM", true), ("S-A-2", "PREMIUM", true), ("S-B-1", "STANDARD", false), ("S-B-2", "STANDARD", false));

        // A ticket type for the zone, added to the published event, puts its seats on sale.
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/changes/capacity", new
        {
            expectedVersion = 1, add = new[] { new { name = "Premium", kind = "reserved", priceZone = "PREMIUM", priceMinor = 8900 } },
        });
        var changed = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id && e.GetProperty("version").GetInt64() == 2);
        changed.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("rows").EnumerateArray())
            .SelectMany(r => r.GetProperty("seats").EnumerateArray()).Select(s => s.GetProperty("blocked").GetBoolean()).Should().AllBeEquivalentTo(false);
    }

    [Fact]
    public async Task Publishing_again_announces_a_higher_version_and_keeps_the_status()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var id = (await fixture.PublishedEventAsync(organizer, venue)).Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/open-sales");
        var again = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish");
        await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id && e.GetProperty("version").GetInt64() == 2);

        again.Text("status").Should().Be("on_sale");
        again.GetProperty("version").GetInt64().Should().Be(2);
        fixture.Events.On(EventPublished.Topic).Where(e => e.GetProperty("eventId").GetGuid() == id).Select(e => e.GetProperty("version").GetInt64())
            .Should().BeEquivalentTo([1L, 2L]);
        fixture.Events.On(EventPublished.Topic).Where(e => e.GetProperty("eventId").GetGuid() == id)
            .Should().OnlyContain(e => e.GetProperty("sections").GetArrayLength() == 0, "a general-admission event has no seat map");
    }

    [Fact]
    public async Task Cancelling_an_announced_event_publishes_event_cancelled_and_a_draft_stays_silent()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var draft = (await fixture.EventAsync(organizer, venue)).Id();
        var announced = (await fixture.PublishedEventAsync(organizer, venue)).Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{draft}/cancel", new { reason = "Never mind" });
        var cancelled = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{announced}/cancel", new { reason = "  The band split up.  " });
        var message = await fixture.Events.WaitForAsync(EventCancelled.Topic, e => e.GetProperty("eventId").GetGuid() == announced);

        message.GetProperty("organizerId").GetGuid().Should().Be(organizer.Id);
        message.Text("reason").Should().Be("The band split up.");
        message.GetProperty("cancelledAt").GetDateTimeOffset().Should().Be(cancelled.GetProperty("cancelledAt").GetDateTimeOffset());
        fixture.Events.On(EventCancelled.Topic).Should().NotContain(e => e.GetProperty("eventId").GetGuid() == draft, "nothing downstream knew the draft");
        var publicView = await fixture.ExpectAsync(null, HttpMethod.Get, $"/api/events/{announced}");
        publicView.Text("status").Should().Be("cancelled", "fans who saw the event can read that it was cancelled");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{announced}/cancel", HttpStatusCode.BadRequest, "validation_failed", new { reason = "" });
    }

    [Fact]
    public async Task A_20000_seat_event_is_announced_with_every_seat()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, capacity: 20_000);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(8, 50, 50, (section, _, _) => section <= 2 ? "FLOOR" : "TIER"), "Arena");
        var id = (await fixture.EventAsync(organizer, venue, seatMap, body => body["ticketTypes"] = new object[]
        {
            new { name = "Floor", kind = "reserved", priceZone = "FLOOR", priceMinor = 9900 },
            new { name = "Tier", kind = "reserved", priceZone = "TIER", priceMinor = 4900 },
        })).Id();

        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{id}/publish");
        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == id, TimeSpan.FromSeconds(30));

        var sections = message.GetProperty("sections").EnumerateArray().ToList();
        sections.Select(s => s.Text("code")).Should().Equal(Enumerable.Range(1, 8).Select(i => $"S{i}"));
        var seats = sections.SelectMany(s => s.GetProperty("rows").EnumerateArray()).SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        seats.Should().HaveCount(20_000);
        seats.Count(s => s.Text("priceZone") == "FLOOR").Should().Be(5_000);
        seats.Select(s => s.Text("id")).Should().OnlyHaveUniqueItems();
        var lastRow = sections[7].GetProperty("rows")[49];
        lastRow.Text("label").Should().Be("R50");
        lastRow.GetProperty("seats").EnumerateArray().Select(s => s.Text("id")).Should().Equal(Enumerable.Range(1, 50).Select(n => $"S8-R50-{n}"));
    }
}
