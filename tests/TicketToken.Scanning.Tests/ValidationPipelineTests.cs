using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Scanning.Tests;

/// <summary>
/// Every denial reason of the pipeline, each reached through <c>POST /api/scans</c> with a code made from the secret the
/// tickets module gave the fan (or from the tickets module's own event key, for tickets whose fan can no longer get one).
/// </summary>
public sealed class ValidationPipelineTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    [Fact]
    public async Task A_valid_code_is_admitted_and_recorded_and_the_answer_names_the_ticket()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);

        var scan = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current());

        scan.Allowed().Should().BeTrue(scan.ToString());
        scan.Reason().Should().BeNull();
        scan.GetProperty("ticketId").GetGuid().Should().Be(ticket.TicketId);
        scan.Text("zone").Should().Be("GA", "a device of one zone scans in it");
        scan.GetProperty("entries").GetInt32().Should().Be(1);
        (await fixture.Database.ScalarAsync<bool>("select allowed from scanning.scans where id = $1", scan.GetProperty("scanId").GetGuid())).Should().BeTrue();
    }

    [Fact]
    public async Task Text_that_is_not_a_code_is_malformed_and_still_recorded()
    {
        var venue = await fixture.VenueAsync();

        var scans = new[]
        {
            await fixture.ScanAsync(venue.Device, venue.Event.EventId, "https://example.com/not-a-ticket"),
            await fixture.ScanAsync(venue.Device, venue.Event.EventId, "TT1.AAAAAAAAAAAAAAAAAAAAAA.0012.AAAAAAAAAAAAAAAAAAAAAA"),
        };

        scans.Should().OnlyContain(s => !s.Allowed() && s.Reason() == "malformed_code");
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where event_id = $1 and reason = 'malformed_code'", venue.Event.EventId)).Should().Be(2);
    }

    [Fact]
    public async Task A_forged_mac_is_a_bad_signature_and_a_code_of_a_past_step_has_expired()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var forged = ticket with { Secret = RandomNumberGenerator.GetBytes(32) };

        var badMac = await fixture.ScanAsync(venue.Device, venue.Event.EventId, forged.Current());
        var screenshot = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.StepsAgo(4));
        var fromTheFuture = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.StepsAgo(-4));
        var lastStep = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.StepsAgo(1));

        badMac.Reason().Should().Be("bad_signature");
        screenshot.Reason().Should().Be("code_expired");
        fromTheFuture.Reason().Should().Be("code_expired");
        lastStep.Allowed().Should().BeTrue("one step of clock skew is allowed: {0}", lastStep);
    }

    [Fact]
    public async Task An_unknown_event_and_an_unknown_ticket_are_denied()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var stranger = ticket with { TicketId = Guid.NewGuid() };

        var noEvent = await fixture.ScanAsync(venue.Device, Guid.NewGuid(), ticket.Current());
        var noTicket = await fixture.ScanAsync(venue.Device, venue.Event.EventId, stranger.Current());

        noEvent.Reason().Should().Be("event_not_found");
        noTicket.Reason().Should().Be("ticket_not_found");
    }

    [Fact]
    public async Task A_ticket_of_another_event_at_the_same_venue_is_the_wrong_event()
    {
        var venue = await fixture.VenueAsync();
        var tomorrow = await fixture.AnnounceAsync(venue.OrganizerId, venue.VenueId, DateTimeOffset.UtcNow.AddHours(2));
        var ticketForTomorrow = await fixture.TicketAsync(venue, @event: tomorrow);

        var scan = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticketForTomorrow.Current());

        scan.Reason().Should().Be("wrong_event");
    }

    [Fact]
    public async Task A_deactivated_device_another_organizers_device_a_device_of_another_venue_and_a_gate_outside_its_zones_are_denied()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var (otherAdmin, otherOrganizer) = await fixture.Personas.OrganizerAdminAsync("Other promoter");
        var foreignDevice = await fixture.DeviceAsync(otherAdmin, otherOrganizer, await fixture.Personas.VenueAsync(otherAdmin, otherOrganizer));
        var elsewhere = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, await fixture.Personas.VenueAsync(venue.Admin, venue.OrganizerId, "Second stage"));
        var deactivated = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId);
        using (var revoke = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Delete, $"/api/organizers/{venue.OrganizerId}/devices/{deactivated.DeviceId}"))
        {
            await revoke.ShouldBeAsync(HttpStatusCode.NoContent);
        }

        await fixture.WaitForDeviceVersionAsync(deactivated.DeviceId, 2);

        (await fixture.ScanAsync(deactivated, venue.Event.EventId, ticket.Current())).Reason().Should().Be("device_inactive", "its token still works for minutes, scanning knows better");
        (await fixture.ScanAsync(foreignDevice, venue.Event.EventId, ticket.Current())).Reason().Should().Be("wrong_tenant");
        (await fixture.ScanAsync(elsewhere, venue.Event.EventId, ticket.Current())).Reason().Should().Be("device_wrong_venue");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), zone: "VIP")).Reason().Should().Be("device_zone_not_authorized");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Allowed().Should().BeTrue("none of that admitted it");
    }

    [Fact]
    public async Task A_device_moved_to_the_venue_and_given_the_zone_scans_there_at_once()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue, AccessZones.Vip);
        var device = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, await fixture.Personas.VenueAsync(venue.Admin, venue.OrganizerId, "Second stage"));
        (await fixture.ScanAsync(device, venue.Event.EventId, ticket.Current(), zone: "VIP")).Reason().Should().Be("device_wrong_venue");

        using var moved = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Patch, $"/api/organizers/{venue.OrganizerId}/devices/{device.DeviceId}",
            new { venueId = venue.VenueId, zones = new[] { "VIP" } });
        await moved.ShouldBeAsync(HttpStatusCode.OK);
        await fixture.WaitForDeviceVersionAsync(device.DeviceId, 2);

        (await fixture.ScanAsync(device, venue.Event.EventId, ticket.Current(), zone: "VIP")).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task A_code_captured_before_a_transfer_is_superseded_after_it_and_the_new_owner_gets_in()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var recipient = await fixture.Personas.FanAsync();
        var captured = ticket.Current();

        using var started = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Post, $"/api/tickets/{ticket.TicketId}/transfers", new { recipientEmail = recipient.Email });
        var transfer = await started.ShouldBeAsync(HttpStatusCode.Created);
        using var accepted = await fixture.Client.SendAsync(recipient, HttpMethod.Post, $"/api/transfers/{transfer.GetProperty("id").GetGuid()}/accept",
            new { acceptanceCode = transfer.Text("acceptanceCode") });
        await accepted.ShouldBeAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<int>("select secret_version from scanning.tickets where id = $1", ticket.TicketId) == 2,
            "scanning heard of the new secret version");
        using var offline = await fixture.Client.SendAsync(recipient, HttpMethod.Get, $"/api/tickets/{ticket.TicketId}/offline");
        var newOwner = ticket with { Fan = recipient, Secret = System.Buffers.Text.Base64Url.DecodeFromChars((await offline.ShouldBeAsync(HttpStatusCode.OK)).Text("secret")) };

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, captured)).Reason().Should().Be("superseded", "the screenshot taken before the transfer");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Reason().Should().Be("superseded", "the old owner's app still computes codes");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, newOwner.Current())).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task A_ticket_that_was_let_in_is_used_and_can_no_longer_be_gifted_nor_a_pending_gift_accepted()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var recipient = await fixture.Personas.FanAsync();
        using var started = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Post, $"/api/tickets/{ticket.TicketId}/transfers", new { recipientEmail = recipient.Email });
        var pending = await started.ShouldBeAsync(HttpStatusCode.Created);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Allowed().Should().BeTrue();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string>("select status from tickets.tickets where id = $1", ticket.TicketId) == "checked_in",
            "the tickets module heard that the ticket was let in");

        using var accepted = await fixture.Client.SendAsync(recipient, HttpMethod.Post, $"/api/transfers/{pending.GetProperty("id").GetGuid()}/accept",
            new { acceptanceCode = pending.Text("acceptanceCode") });
        using var cancelled = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Post, $"/api/transfers/{pending.GetProperty("id").GetGuid()}/cancel");
        using var again = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Post, $"/api/tickets/{ticket.TicketId}/transfers", new { recipientEmail = recipient.Email });
        using var mine = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Get, $"/api/tickets/{ticket.TicketId}");

        await accepted.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_transferable");
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_transferable");
        cancelled.IsSuccessStatusCode.Should().BeTrue("the sender can still withdraw the gift that can no longer be accepted");
        (await mine.ShouldBeAsync(HttpStatusCode.OK)).Text("status").Should().Be("checked_in");
    }

    [Fact]
    public async Task Refunded_revoked_and_not_yet_active_tickets_are_denied_with_their_status()
    {
        var venue = await fixture.VenueAsync();
        var refunded = await fixture.TicketAsync(venue);
        var revoked = await fixture.TicketAsync(venue);
        await fixture.Issuer(refunded.OrderId).RevokeAsync(new RevokeTickets(refunded.OrderId, null, RevokeTickets.Refunded));
        await fixture.Issuer(revoked.OrderId).RevokeAsync(new RevokeTickets(revoked.OrderId, null, "fraud"));
        var unpaid = await IssuedOnlyAsync(venue);
        await fixture.WaitForStatusAsync(refunded.TicketId, TicketStatuses.Refunded);
        await fixture.WaitForStatusAsync(revoked.TicketId, TicketStatuses.Revoked);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, refunded.Current())).Reason().Should().Be("ticket_refunded");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, revoked.Current())).Reason().Should().Be("ticket_revoked");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, unpaid.Current())).Reason().Should().Be("ticket_not_active");
    }

    [Fact]
    public async Task Locked_and_transferred_away_tickets_are_denied_with_their_status()
    {
        // The tickets module has no lock and keeps a gifted ticket's id (it rotates the secret instead), so neither state
        // is reachable through its API yet; these are the tickets.changed messages it would publish, on the real
        // subscription, for real tickets whose codes the tickets module made.
        var venue = await fixture.VenueAsync();
        var locked = await fixture.TicketAsync(venue);
        var movedAway = await fixture.TicketAsync(venue);
        await fixture.PublishAsync(TicketChanged.Topic, ChangeOf(venue, locked, TicketStatuses.Active, isLocked: true));
        await fixture.PublishAsync(TicketChanged.Topic, ChangeOf(venue, movedAway, TicketStatuses.Transferred, isLocked: false));
        await fixture.WaitForStatusAsync(movedAway.TicketId, TicketStatuses.Transferred);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool?>("select locked from scanning.tickets where id = $1", locked.TicketId) == true,
            "scanning sees the lock");

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, locked.Current())).Reason().Should().Be("ticket_locked");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, movedAway.Current())).Reason().Should().Be("ticket_transferred");
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = any($1) and not allowed",
            new[] { locked.TicketId, movedAway.TicketId })).Should().Be(2, "denied scans are recorded too");
    }

    private static TicketChanged ChangeOf(Venue venue, FanTicket ticket, string status, bool isLocked) =>
        new(ticket.TicketId, venue.Event.EventId, venue.OrganizerId, ticket.Fan.UserId, ScanningFixture.GaType, null, status, SecretVersion: 1, isLocked,
            Sequence: 1_000, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Tickets_of_a_cancelled_event_are_cancelled_at_the_gate()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(venue.Event.EventId, venue.OrganizerId, "storm", DateTimeOffset.UtcNow));
        await fixture.WaitForStatusAsync(ticket.TicketId, TicketStatuses.Cancelled);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Reason().Should().Be("ticket_cancelled");
    }

    [Fact]
    public async Task Check_in_opens_four_hours_before_the_start_and_closes_two_hours_after_the_end()
    {
        var early = await fixture.VenueAsync(startsAt: DateTimeOffset.UtcNow.AddHours(5));
        var late = await fixture.VenueAsync(startsAt: DateTimeOffset.UtcNow.AddHours(-6), endsAt: DateTimeOffset.UtcNow.AddHours(-3));
        var justOpen = await fixture.VenueAsync(startsAt: DateTimeOffset.UtcNow.AddHours(3.9));
        var earlyTicket = await fixture.TicketAsync(early);
        var lateTicket = await fixture.TicketAsync(late);
        var openTicket = await fixture.TicketAsync(justOpen);

        (await fixture.ScanAsync(early.Device, early.Event.EventId, earlyTicket.Current())).Reason().Should().Be("checkin_too_early");
        (await fixture.ScanAsync(late.Device, late.Event.EventId, lateTicket.Current())).Reason().Should().Be("checkin_too_late");
        (await fixture.ScanAsync(justOpen.Device, justOpen.Event.EventId, openTicket.Current())).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task A_ticket_enters_the_zones_its_zone_contains_and_no_other()
    {
        var venue = await fixture.VenueAsync(zones: ["GA", "VIP", "BACKSTAGE"]);
        var ga = await fixture.TicketAsync(venue);
        var vip = await fixture.TicketAsync(venue, AccessZones.Vip);
        var backstage = await fixture.TicketAsync(venue, AccessZones.Backstage);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ga.Current(), zone: "VIP")).Reason().Should().Be("zone_denied");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "BACKSTAGE")).Reason().Should().Be("zone_denied");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, vip.Current(), zone: "GA")).Allowed().Should().BeTrue("VIP contains GA");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, backstage.Current(), zone: "VIP")).Allowed().Should().BeTrue("BACKSTAGE contains VIP");
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ga.Current(), zone: "GA")).Allowed().Should().BeTrue();
    }

    [Fact]
    public async Task A_second_scan_inside_the_window_is_a_duplicate_and_an_exit_needs_an_entry()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var other = await fixture.TicketAsync(venue);

        var first = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current());
        var second = await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), gate: "South 4");
        var exitWithoutEntry = await fixture.ScanAsync(venue.Device, venue.Event.EventId, other.Current(), direction: "exit");

        first.Allowed().Should().BeTrue();
        second.Reason().Should().Be("duplicate");
        exitWithoutEntry.Reason().Should().Be("not_inside");
    }

    [Fact]
    public async Task Bad_requests_are_problems_that_record_nothing()
    {
        var venue = await fixture.VenueAsync(zones: ["GA", "VIP"]);
        var ticket = await fixture.TicketAsync(venue);

        using var noZone = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = ticket.Current(), gate = "N" });
        using var badZone = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = ticket.Current(), gate = "N", zone = "PIT" });
        using var badDirection = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = ticket.Current(), gate = "N", zone = "GA", direction = "sideways" });
        using var noGate = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = ticket.Current(), zone = "GA" });
        using var hugeCode = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = new string('A', 5000), gate = "N", zone = "GA" });
        using var notJson = await fixture.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/scans")
        {
            Content = new StringContent("{\"eventId\": ", System.Text.Encoding.UTF8, "application/json"),
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", venue.Device.AccessToken) },
        });
        using var fan = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Post, "/api/scans", new { eventId = venue.Event.EventId, code = ticket.Current(), gate = "N", zone = "GA" });

        await noZone.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "zone_required");
        await badZone.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await badDirection.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await noGate.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await hugeCode.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await notJson.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await fan.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where event_id = $1", venue.Event.EventId)).Should().Be(0);
    }

    /// <summary>A ticket issued for an order that is not confirmed: its fan has no code, so the code is made from the tickets module's key.</summary>
    private async Task<FanTicket> IssuedOnlyAsync(Venue venue)
    {
        var orderId = Guid.NewGuid();
        var issued = await fixture.Issuer(orderId).IssueAsync(new IssueTickets(orderId, "TT-UNPAID", venue.Event.EventId, venue.OrganizerId, Guid.NewGuid(),
            [new TicketLine(1, ScanningFixture.GaType, "GA", null, null, null, null, null, 3_000, "EUR")]));
        var ticketId = issued.Tickets.Single().TicketId;
        await fixture.WaitForStatusAsync(ticketId, TicketStatuses.Issued);
        return await fixture.FromEventKeyAsync(venue.Event.EventId, ticketId, orderId);
    }
}

/// <summary>The tickets module's sweep expires an event's unused tickets after it: the gate says so.</summary>
public sealed class ExpiredTicketTests(ShortGraceScanningFixture fixture) : IClassFixture<ShortGraceScanningFixture>
{
    [Fact]
    public async Task A_ticket_the_sweep_expired_is_denied_as_expired()
    {
        var gate = await fixture.VenueAsync();
        // Announced only now, ending in seconds, so the ticket exists before the sweep runs (end plus one second).
        var ending = await fixture.AnnounceAsync(gate.OrganizerId, gate.VenueId, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddSeconds(5));
        var venue = gate with { Event = ending };
        var orderId = Guid.NewGuid();
        var issued = await fixture.Issuer(orderId).IssueAsync(new IssueTickets(orderId, "TT-LATE", venue.Event.EventId, venue.OrganizerId, Guid.NewGuid(),
            [new TicketLine(1, ScanningFixture.GaType, "GA", null, null, null, null, null, 3_000, "EUR")]));
        await fixture.Issuer(orderId).ActivateAsync(new ActivateTickets(orderId));
        // Whether the sweep comes before or after the activation, the ticket ends expired: unused after its event.
        var ticket = await fixture.FromEventKeyAsync(venue.Event.EventId, issued.Tickets.Single().TicketId, orderId);

        await fixture.WaitForStatusAsync(ticket.TicketId, TicketStatuses.Expired);

        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Reason().Should().Be("ticket_expired");
    }
}
