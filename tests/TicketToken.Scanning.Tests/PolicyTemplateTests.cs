using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Scanning.Tests;

/// <summary>
/// Each policy template through HTTP. A ticket's earlier passages are uploaded as offline scans of a second device (the
/// way a gate that lost its network reports them), so the duplicate windows and re-entry rules are checked against real
/// history minutes old without waiting minutes.
/// </summary>
public sealed class PolicyTemplateTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    [Fact]
    public async Task Standard_has_a_five_minute_window_and_no_reentry()
    {
        var (venue, other) = await GatesAsync("standard");
        var recent = await fixture.TicketAsync(venue);
        var earlier = await fixture.TicketAsync(venue);
        var fresh = await fixture.TicketAsync(venue);
        await HistoryAsync(other, venue, recent, ("entry", 4));
        await HistoryAsync(other, venue, earlier, ("entry", 20), ("exit", 10));

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, recent.Current())).Reason().Should().Be("duplicate");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, earlier.Current())).Reason().Should().Be("reentry_not_allowed");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, fresh.Current())).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task Festival_has_a_thirty_minute_window_and_unlimited_reentry_after_an_exit()
    {
        var (venue, other) = await GatesAsync("festival");
        var inWindow = await fixture.TicketAsync(venue);
        var stillInside = await fixture.TicketAsync(venue);
        var outAndBack = await fixture.TicketAsync(venue);
        await HistoryAsync(other, venue, inWindow, ("entry", 25), ("exit", 20));
        await HistoryAsync(other, venue, stillInside, ("entry", 45));
        await HistoryAsync(other, venue, outAndBack, ("entry", 200), ("exit", 190), ("entry", 150), ("exit", 140), ("entry", 100), ("exit", 90));

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, inWindow.Current())).Reason().Should().Be("duplicate");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, stillInside.Current())).Reason().Should().Be("already_inside");
        var again = await fixture.ScanAsync(venue.Device, venue.Event.EventId, outAndBack.Current());
        again.Allowed().Should().BeTrue(again.ToString());
        again.GetProperty("entries").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Concert_allows_one_reentry_and_strict_zones()
    {
        var (venue, other) = await GatesAsync("concert", ["GA", "VIP", "BACKSTAGE"]);
        var once = await fixture.TicketAsync(venue);
        var twice = await fixture.TicketAsync(venue);
        var vip = await fixture.TicketAsync(venue, AccessZones.Vip);
        await HistoryAsync(other, venue, once, ("entry", 60), ("exit", 50));
        await HistoryAsync(other, venue, twice, ("entry", 60), ("exit", 50), ("entry", 40), ("exit", 30));

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, once.Current(), zone: "GA")).Allowed().Should().BeTrue();
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, twice.Current(), zone: "GA")).Reason().Should().Be("reentry_limit_reached");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "GA")).Reason().Should().Be("zone_denied", "strict: VIP enters at VIP gates");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "VIP")).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task Conference_has_no_window_and_unlimited_reentry_but_one_person_inside_per_ticket()
    {
        var (venue, _) = await GatesAsync("conference");
        var ticket = await fixture.TicketAsync(venue);

        var results = new List<JsonElement>();
        foreach (var direction in new[] { "entry", "exit", "entry", "entry", "exit", "entry" })
        {
            results.Add(await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), direction: direction));
        }

        results.Select(r => r.Reason() ?? "allowed").Should().Equal("allowed", "allowed", "allowed", "already_inside", "allowed", "allowed");
    }

    [Fact]
    public async Task Vip_gives_vip_tickets_every_zone_and_keeps_the_window()
    {
        var (venue, _) = await GatesAsync("vip", ["GA", "VIP", "BACKSTAGE"]);
        var vip = await fixture.TicketAsync(venue, AccessZones.Vip);
        var ga = await fixture.TicketAsync(venue);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "BACKSTAGE")).Allowed().Should().BeTrue("VIP all-access");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "VIP")).Reason().Should().Be("duplicate");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ga.Current(), zone: "VIP")).Reason().Should().Be("zone_denied");
    }

    [Fact]
    public async Task Templates_are_listed_with_their_seed_values_and_a_custom_policy_is_checked()
    {
        var venue = await fixture.VenueAsync();
        var path = $"/api/scanning/events/{venue.Event.EventId}/policy";
        using var templates = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Get, "/api/scanning/policy-templates");
        var listed = (await templates.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToDictionary(t => t.Text("template"));

        listed.Keys.Should().BeEquivalentTo(["standard", "festival", "concert", "conference", "vip"]);
        listed["standard"].GetProperty("duplicateWindowMinutes").GetInt32().Should().Be(5);
        listed["festival"].GetProperty("duplicateWindowMinutes").GetInt32().Should().Be(30);
        listed["festival"].GetProperty("maxReentries").ValueKind.Should().Be(JsonValueKind.Null);
        listed["concert"].GetProperty("maxReentries").GetInt32().Should().Be(1);
        listed["concert"].GetProperty("strictZones").GetBoolean().Should().BeTrue();
        listed["conference"].GetProperty("duplicateWindowMinutes").GetInt32().Should().Be(0);
        listed["vip"].GetProperty("vipAllAccess").GetBoolean().Should().BeTrue();

        using var initial = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Get, path);
        (await initial.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("policy").Text("template").Should().Be("standard");
        using var custom = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "festival", maxReentries = 3, checkInOpensMinutesBefore = 60 });
        var set = await custom.ShouldBeAsync(HttpStatusCode.OK);
        set.GetProperty("policy").Text("template").Should().Be("custom");
        set.GetProperty("policy").GetProperty("maxReentries").GetInt32().Should().Be(3);
        set.GetProperty("checkInOpensAt").GetDateTimeOffset().Should().Be(venue.Event.StartsAt.AddHours(-1));
        using var inconsistent = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "standard", maxReentries = 2 });
        await inconsistent.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_policy");
        using var unknown = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "rave" });
        await unknown.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_template");
        using var negative = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "custom", duplicateWindowMinutes = -1 });
        await negative.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync("Not theirs");
        using var foreign = await fixture.Client.SendAsync(stranger, HttpMethod.Put, path, new { template = "festival" });
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        using var after = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Get, path);
        (await after.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("policy").GetProperty("maxReentries").GetInt32().Should().Be(3, "refused changes changed nothing");
    }

    [Fact]
    public async Task A_changed_policy_applies_to_the_next_scan()
    {
        var venue = await fixture.VenueAsync(startsAt: DateTimeOffset.UtcNow.AddHours(2));
        var ticket = await fixture.TicketAsync(venue);
        var path = $"/api/scanning/events/{venue.Event.EventId}/policy";
        using (var narrow = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "standard", checkInOpensMinutesBefore = 60 }))
        {
            await narrow.ShouldBeAsync(HttpStatusCode.OK);
        }

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Reason().Should().Be("checkin_too_early", "doors open an hour before, the start is two away");

        using (var wide = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, path, new { template = "standard" }))
        {
            await wide.ShouldBeAsync(HttpStatusCode.OK);
        }

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Allowed().Should().BeTrue("back to four hours before the start");
    }

    /// <summary>A venue whose event uses <paramref name="template"/>, and a second device there that reports offline history.</summary>
    private async Task<(Venue Venue, ScannerDevice Other)> GatesAsync(string template, IReadOnlyList<string>? zones = null)
    {
        var venue = await fixture.VenueAsync(zones: zones);
        using var set = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Put, $"/api/scanning/events/{venue.Event.EventId}/policy", new { template });
        (await set.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("policy").Text("template").Should().Be(template);
        var other = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId, ["GA", "VIP", "BACKSTAGE"]);
        return (venue, other);
    }

    /// <summary>Uploads passages of <paramref name="ticket"/> the other device let through offline, minutes ago.</summary>
    private async Task HistoryAsync(ScannerDevice device, Venue venue, FanTicket ticket, params (string Direction, int MinutesAgo)[] passages)
    {
        var now = DateTimeOffset.UtcNow;
        var scans = passages.Select(p => new
        {
            id = Guid.NewGuid(), eventId = venue.Event.EventId, ticketId = ticket.TicketId, gate = "Offline 9", zone = ticket.Zone, direction = p.Direction,
            allowed = true, scannedAt = now.AddMinutes(-p.MinutesAgo),
        }).ToList();
        using var response = await fixture.SendAsync(device, HttpMethod.Post, "/api/scans/reconcile", new { scans });
        var result = await response.ShouldBeAsync(HttpStatusCode.OK);
        result.GetProperty("recorded").GetInt32().Should().Be(scans.Count);
        result.GetProperty("conflicts").GetArrayLength().Should().Be(0, "the history follows the policy");
    }
}
