using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Tests;

/// <summary>Where a ticket type's tickets enter (GA by default, VIP, BACKSTAGE): stored, shown, validated and announced to scanning.</summary>
public sealed class AccessZoneTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task A_ticket_type_enters_general_admission_unless_it_says_vip_or_backstage_and_can_change_while_draft()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var id = (await fixture.EventAsync(organizer, venue)).Id();
        var path = $"/api/events/{id}/ticket-types";

        var standing = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, path, new { name = "Standing", kind = "general_admission", capacity = 200, priceMinor = 2000 },
            HttpStatusCode.Created);
        var lounge = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, path,
            new { name = "Lounge", kind = "general_admission", capacity = 20, priceMinor = 9000, accessZone = "VIP" }, HttpStatusCode.Created);
        var changed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"{path}/{lounge.Id()}", new { accessZone = "BACKSTAGE" });
        var renamed = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Patch, $"{path}/{lounge.Id()}", new { name = "Crew lounge" });
        var read = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"{path}/{lounge.Id()}");
        var list = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, path);

        standing.Text("accessZone").Should().Be(AccessZones.GeneralAdmission, "a ticket type that says nothing is general admission");
        lounge.Text("accessZone").Should().Be(AccessZones.Vip);
        changed.Text("accessZone").Should().Be(AccessZones.Backstage);
        renamed.Text("accessZone").Should().Be(AccessZones.Backstage, "a change that does not name the zone keeps it");
        read.Text("accessZone").Should().Be(AccessZones.Backstage);
        list.EnumerateArray().Select(t => (t.Text("name"), t.Text("accessZone"))).Should().Equal(("Standing", "GA"), ("Crew lounge", "BACKSTAGE"));
    }

    [Fact]
    public async Task An_unknown_access_zone_is_refused_and_changes_nothing()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var id = (await fixture.EventAsync(organizer, venue)).Id();
        var path = $"/api/events/{id}/ticket-types";
        var standing = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, path, new { name = "Standing", kind = "general_admission", capacity = 10, priceMinor = 1 },
            HttpStatusCode.Created);

        var created = await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, path, HttpStatusCode.BadRequest, "invalid_access_zone",
            new { name = "Pit", kind = "general_admission", capacity = 10, priceMinor = 1, accessZone = "PIT" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, path, HttpStatusCode.BadRequest, "invalid_access_zone",
            new { name = "Lower", kind = "general_admission", capacity = 10, priceMinor = 1, accessZone = "vip" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Patch, $"{path}/{standing.Id()}", HttpStatusCode.BadRequest, "invalid_access_zone",
            new { accessZone = "" });
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Post, "/api/events", HttpStatusCode.BadRequest, "invalid_access_zone",
            Catalog.EventBody(organizer.Id, venue).With("ticketTypes", new[] { new { name = "X", kind = "general_admission", capacity = 5, priceMinor = 1, accessZone = "ROOF" } }));

        created.Detail.Should().Contain("PIT");
        var list = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, path);
        list.EnumerateArray().Select(t => (t.Text("name"), t.Text("accessZone"))).Should().Equal(("Standing", "GA"));
    }

    [Fact]
    public async Task The_announcement_carries_each_ticket_types_access_zone()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var published = await fixture.PublishedEventAsync(organizer, venue, body => body["ticketTypes"] = new object[]
        {
            new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2500 },
            new { name = "Lounge", kind = "general_admission", capacity = 10, priceMinor = 9000, accessZone = "VIP" },
            new { name = "All areas", kind = "general_admission", capacity = 2, priceMinor = 50000, accessZone = "BACKSTAGE" },
        });

        var message = await fixture.Events.WaitForAsync(EventPublished.Topic, e => e.GetProperty("eventId").GetGuid() == published.Id());
        var announced = message.GetProperty("ticketTypes").Deserialize<List<PublishedTicketType>>(JsonSerializerOptions.Web)!;

        announced.Select(t => (t.Name, t.AccessZone)).Should().Equal(("Standing", "GA"), ("Lounge", "VIP"), ("All areas", "BACKSTAGE"));
    }

    [Fact]
    public async Task The_ticket_type_examples_show_the_access_zone()
    {
        var document = await fixture.ExpectAsync(null, HttpMethod.Get, "/openapi/v1.json");
        var post = document.GetProperty("paths").GetProperty("/api/events/{eventId}/ticket-types").GetProperty("post");
        var examples = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");

        foreach (var (name, zone) in new[] { ("reserved", "VIP"), ("generalAdmission", "GA") })
        {
            var value = examples.GetProperty(name).GetProperty("value");
            var body = value.ValueKind == JsonValueKind.String ? JsonDocument.Parse(value.GetString()!).RootElement : value;
            body.TryGetProperty("accessZone", out var accessZone).Should().BeTrue(body.GetRawText());
            accessZone.GetString().Should().Be(zone);
        }
    }
}
