using System.Net;
using TicketToken.Contracts.Identity;

namespace TicketToken.Identity.Tests;

/// <summary>Scanner devices: registered by an organizer admin, signed in with their own credentials, revocable.</summary>
public sealed class DeviceTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_registered_device_gets_a_scanner_token_that_says_who_it_is()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var venueId = await fixture.Personas.VenueAsync(admin, organizerId);
        using var registered = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = " Gate A ", venueId });
        var credentials = await registered.ShouldBeAsync(HttpStatusCode.Created);
        var deviceId = credentials.GetProperty("deviceId").GetGuid();
        credentials.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        credentials.GetProperty("venueId").GetGuid().Should().Be(venueId);
        credentials.Text("name").Should().Be("Gate A");
        var secret = credentials.Text("secret");

        using var token = await _client.PostJsonAsync("/api/devices/token", new { deviceId, secret });

        var issued = await token.ShouldBeAsync(HttpStatusCode.OK);
        issued.Text("tokenType").Should().Be("Bearer");
        issued.GetProperty("deviceId").GetGuid().Should().Be(deviceId);
        var access = issued.Text("accessToken");
        Jwt.Payload(access).Text("kind").Should().Be("device");
        Jwt.Payload(access).Text("venue").Should().Be(venueId.ToString());
        Jwt.Claims(access, "role").Should().Equal("scanner");
        Jwt.Claims(access, "org").Should().Equal($"{organizerId}:scanner");
        using var me = await _client.SendAsync(access, HttpMethod.Get, "/api/devices/me");
        var device = await me.ShouldBeAsync(HttpStatusCode.OK);
        device.GetProperty("id").GetGuid().Should().Be(deviceId);
        device.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        device.GetProperty("venueId").GetGuid().Should().Be(venueId);
        device.Text("status").Should().Be("active");
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/devices");
        var listed = (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
        listed.GetProperty("id").GetGuid().Should().Be(deviceId);
        listed.TryGetProperty("lastSeenAt", out var lastSeen).Should().BeTrue();
        lastSeen.ValueKind.Should().NotBe(System.Text.Json.JsonValueKind.Null, "the device signed in");
    }

    [Fact]
    public async Task A_device_token_does_not_act_as_a_person_and_a_person_token_not_as_a_device()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);

        using var asPerson = await _client.SendAsync(scanner.AccessToken, HttpMethod.Get, "/api/me");
        using var asAdmin = await _client.SendAsync(scanner.AccessToken, HttpMethod.Get, $"/api/organizers/{organizerId}/devices");
        using var personAsDevice = await _client.SendAsync(admin, HttpMethod.Get, "/api/devices/me");

        await asPerson.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await asAdmin.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await personAsDevice.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_revoked_device_cannot_get_a_token_and_its_current_token_stops_working()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);

        using var revoked = await _client.SendAsync(admin, HttpMethod.Delete, $"/api/organizers/{organizerId}/devices/{scanner.DeviceId}");

        await revoked.ShouldBeAsync(HttpStatusCode.NoContent);
        using var token = await _client.PostJsonAsync("/api/devices/token", new { deviceId = scanner.DeviceId, secret = scanner.Secret });
        await token.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_device_credentials");
        using var me = await _client.SendAsync(scanner.AccessToken, HttpMethod.Get, "/api/devices/me");
        await me.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "device_revoked");
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/devices");
        (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single().Text("status").Should().Be("revoked");
    }

    [Fact]
    public async Task A_wrong_secret_or_an_unknown_device_is_refused_alike()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);

        using var wrongSecret = await _client.PostJsonAsync("/api/devices/token", new { deviceId = scanner.DeviceId, secret = scanner.Secret[..^2] + "xx" });
        using var unknownDevice = await _client.PostJsonAsync("/api/devices/token", new { deviceId = Guid.NewGuid(), secret = scanner.Secret });

        var wrong = await wrongSecret.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_device_credentials");
        var unknown = await unknownDevice.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_device_credentials");
        unknown.Comparable().Should().Be(wrong.Comparable());
    }

    [Fact]
    public async Task Only_an_admin_of_the_organizer_registers_or_revokes_its_devices()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Mine");
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync("Theirs");
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);

        using var register = await _client.SendAsync(stranger, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "Mine now", venueId = Guid.NewGuid() });
        using var revoke = await _client.SendAsync(stranger, HttpMethod.Delete, $"/api/organizers/{organizerId}/devices/{scanner.DeviceId}");

        await register.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await revoke.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        using var stillWorks = await _client.PostJsonAsync("/api/devices/token", new { deviceId = scanner.DeviceId, secret = scanner.Secret });
        await stillWorks.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_device_is_registered_for_zones_renamed_moved_and_deactivated_and_each_change_is_published_with_a_higher_version()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var venueId = await fixture.Personas.VenueAsync(admin, organizerId);
        var otherVenue = await fixture.Personas.VenueAsync(admin, organizerId, "Second stage");
        using var registered = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "Gate B", venueId, zones = new[] { "vip", "GA" } });
        var credentials = await registered.ShouldBeAsync(HttpStatusCode.Created);
        var deviceId = credentials.GetProperty("deviceId").GetGuid();
        credentials.GetProperty("zones").EnumerateArray().Select(z => z.GetString()).Should().Equal("GA", "VIP");
        var path = $"/api/organizers/{organizerId}/devices/{deviceId}";

        using var renamed = await _client.SendAsync(admin, HttpMethod.Patch, path, new { name = "Gate B north" });
        using var moved = await _client.SendAsync(admin, HttpMethod.Patch, path, new { venueId = otherVenue, zones = new[] { "BACKSTAGE" } });
        using var unchanged = await _client.SendAsync(admin, HttpMethod.Patch, path, new { name = "Gate B north" });
        using var deactivated = await _client.SendAsync(admin, HttpMethod.Delete, path);

        (await renamed.ShouldBeAsync(HttpStatusCode.OK)).Text("name").Should().Be("Gate B north");
        var afterMove = await moved.ShouldBeAsync(HttpStatusCode.OK);
        afterMove.GetProperty("venueId").GetGuid().Should().Be(otherVenue);
        afterMove.GetProperty("zones").EnumerateArray().Select(z => z.GetString()).Should().Equal("BACKSTAGE");
        await unchanged.ShouldBeAsync(HttpStatusCode.OK);
        await deactivated.ShouldBeAsync(HttpStatusCode.NoContent);
        await fixture.Events.WaitForAsync(DeviceChanged.Topic, e => e.GetProperty("deviceId").GetGuid() == deviceId && !e.GetProperty("active").GetBoolean());
        var changes = fixture.Events.On(DeviceChanged.Topic).Where(e => e.GetProperty("deviceId").GetGuid() == deviceId)
            .OrderBy(e => e.GetProperty("version").GetInt64()).ToList();
        changes.Select(e => e.GetProperty("version").GetInt64()).Should().Equal([1, 2, 3, 4], "a change that changes nothing publishes nothing");
        changes[0].GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        changes[0].GetProperty("venueId").GetGuid().Should().Be(venueId);
        changes[1].Text("name").Should().Be("Gate B north");
        changes[2].GetProperty("venueId").GetGuid().Should().Be(otherVenue);
        changes[2].GetProperty("zones").EnumerateArray().Select(z => z.GetString()).Should().Equal("BACKSTAGE");
        changes[3].GetProperty("active").GetBoolean().Should().BeFalse();
        changes.Take(3).Should().OnlyContain(e => e.GetProperty("active").GetBoolean());
        using var afterRevoke = await _client.SendAsync(admin, HttpMethod.Patch, path, new { name = "Back from the dead" });
        await afterRevoke.ShouldBeProblemAsync(HttpStatusCode.Conflict, "device_revoked");
    }

    [Fact]
    public async Task Unknown_zones_are_refused_and_another_organizers_admin_cannot_change_a_device()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Mine");
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync("Theirs");
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);
        var path = $"/api/organizers/{organizerId}/devices/{scanner.DeviceId}";

        using var badRegistration = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "X", venueId = Guid.NewGuid(), zones = new[] { "PIT" } });
        using var noZones = await _client.SendAsync(admin, HttpMethod.Patch, path, new { zones = Array.Empty<string>() });
        using var foreign = await _client.SendAsync(stranger, HttpMethod.Patch, path, new { name = "Mine now" });
        using var unknown = await _client.SendAsync(admin, HttpMethod.Patch, $"/api/organizers/{organizerId}/devices/{Guid.NewGuid()}", new { name = "Nobody" });

        await badRegistration.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_zones");
        await noZones.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_zones");
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "device_not_found");
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/devices");
        var listed = (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
        listed.Text("name").Should().Be("Gate A scanner");
        listed.GetProperty("zones").EnumerateArray().Select(z => z.GetString()).Should().Equal("GA");
    }

    [Fact]
    public async Task A_device_is_registered_or_moved_only_to_a_venue_of_its_own_organizer()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Mine");
        var (otherAdmin, otherOrganizerId) = await fixture.Personas.OrganizerAdminAsync("Theirs");
        var theirVenue = await fixture.Personas.VenueAsync(otherAdmin, otherOrganizerId, "Their hall");
        var scanner = await fixture.Personas.DeviceAsync(admin, organizerId);
        var path = $"/api/organizers/{organizerId}/devices/{scanner.DeviceId}";

        using var foreignRegistration = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "Rogue", venueId = theirVenue });
        using var unknownRegistration = await _client.SendAsync(admin, HttpMethod.Post, $"/api/organizers/{organizerId}/devices", new { name = "Ghost", venueId = Guid.NewGuid() });
        using var foreignMove = await _client.SendAsync(admin, HttpMethod.Patch, path, new { venueId = theirVenue });
        using var unknownMove = await _client.SendAsync(admin, HttpMethod.Patch, path, new { venueId = Guid.NewGuid() });

        await foreignRegistration.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        await unknownRegistration.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        await foreignMove.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        await unknownMove.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        using var list = await _client.SendAsync(admin, HttpMethod.Get, $"/api/organizers/{organizerId}/devices");
        var listed = (await list.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Single();
        listed.GetProperty("venueId").GetGuid().Should().Be(scanner.VenueId, "the refused move changed nothing");
        await fixture.Events.WaitForAsync(DeviceChanged.Topic, e => e.GetProperty("deviceId").GetGuid() == scanner.DeviceId);
        fixture.Events.On(DeviceChanged.Topic).Where(e => e.GetProperty("deviceId").GetGuid() == scanner.DeviceId)
            .Should().ContainSingle("only the registration was published");
    }
}
