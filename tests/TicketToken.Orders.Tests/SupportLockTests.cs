using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>Support locks a sold ticket through the API: the gate refuses it (ticket_locked), its holder cannot give it away, and unlocking restores both; each step is audited.</summary>
public sealed class SupportLockTests(GateJourneyFixture fixture) : IClassFixture<GateJourneyFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_admin_locks_a_ticket_the_gate_refuses_it_and_a_gift_is_refused_then_unlocks_it_and_it_admits_with_both_steps_in_the_audit()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(DateTimeOffset.UtcNow.AddHours(1));
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-3" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1", orderId);
        var venueId = await fixture.Database.ScalarAsync<Guid>("select venue_id from orders.events where id = $1", eventId);
        var device = await fixture.Personas.DeviceAsync(admin, organizerId, venueId);
        using var offline = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/offline");
        var secret = await offline.ShouldBeAsync(HttpStatusCode.OK);
        string Code() => TicketCode.Current(ticketId, Base64Url.DecodeFromChars(secret.Text("secret")), DateTimeOffset.UtcNow, secret.GetProperty("stepSeconds").GetInt32());
        var path = $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}";

        using var locked = await Client.SendAsync(admin, HttpMethod.Post, $"{path}/lock", new { note = "Holder reported the phone stolen" });
        var lockedView = await locked.ShouldBeAsync(HttpStatusCode.OK);
        using var lockedAgain = await Client.SendAsync(admin, HttpMethod.Post, $"{path}/lock", new { note = "Holder reported the phone stolen" });

        lockedView.Text("lockReason").Should().Be("support");
        (await lockedAgain.ShouldBeAsync(HttpStatusCode.OK)).Text("lockReason").Should().Be("support", "locking again is the same lock");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool?>("select locked from scanning.tickets where id = $1", ticketId) == true
            && await fixture.Database.ScalarAsync<long>("select count(*) from scanning.devices where id = $1", device.DeviceId) == 1, "the gate knows the lock");
        var refused = await ScanAsync(device, eventId, Code());
        refused.GetProperty("allowed").GetBoolean().Should().BeFalse();
        refused.ToString().Should().Contain("ticket_locked");
        using (var gift = await Client.SendAsync(fan, HttpMethod.Post, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = "friend@example.com" }))
        {
            await gift.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_locked");
        }

        using var unlocked = await Client.SendAsync(admin, HttpMethod.Post, $"{path}/unlock", new { note = "Phone found again" });
        (await unlocked.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("lockReason").ValueKind.Should().Be(JsonValueKind.Null);
        using var unlockedAgain = await Client.SendAsync(admin, HttpMethod.Post, $"{path}/unlock", new { note = "Phone found again" });
        await unlockedAgain.ShouldBeAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool?>("select locked from scanning.tickets where id = $1", ticketId) == false, "the gate knows the unlock");
        var admitted = await ScanAsync(device, eventId, Code());
        admitted.GetProperty("allowed").GetBoolean().Should().BeTrue(admitted.ToString());

        using var audit = await Client.SendAsync(admin, HttpMethod.Get, $"{path}/audit");
        var entries = (await audit.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        entries.Select(e => (e.Text("action"), e.Text("note"))).Should().Equal([("lock", "Holder reported the phone stolen"), ("unlock", "Phone found again")],
            "each change is audited once, however often it was asked for");
        entries.Should().OnlyContain(e => e.GetProperty("actorId").GetGuid() == admin.UserId);
    }

    [Fact]
    public async Task Only_the_events_organizers_admins_lock_or_read_a_tickets_audit_and_an_unlocked_ticket_cannot_be_unlocked()
    {
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync();
        var (otherAdmin, otherOrganizer) = await fixture.Personas.OrganizerAdminAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, eventId, new { seats = new[] { "STALLS-B-4" } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1", orderId);
        var note = new { note = "Dispute" };

        using var byOther = await Client.SendAsync(otherAdmin, HttpMethod.Post, $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/lock", note);
        using var viaOwnOrganizer = await Client.SendAsync(otherAdmin, HttpMethod.Post, $"/api/tickets/organizers/{otherOrganizer}/tickets/{ticketId}/lock", note);
        using var auditByOther = await Client.SendAsync(otherAdmin, HttpMethod.Get, $"/api/tickets/organizers/{otherOrganizer}/tickets/{ticketId}/audit");
        using var byFan = await Client.SendAsync(fan, HttpMethod.Post, $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/lock", note);
        using var noNote = await Client.SendAsync(admin, HttpMethod.Post, $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/lock", new { note = "" });
        using var notLocked = await Client.SendAsync(admin, HttpMethod.Post, $"/api/tickets/organizers/{organizerId}/tickets/{ticketId}/unlock", note);

        await byOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        await viaOwnOrganizer.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        await auditByOther.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        byFan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        noNote.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await notLocked.ShouldBeProblemAsync(HttpStatusCode.Conflict, "ticket_not_locked");
        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue();
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.ticket_audit where ticket_id = $1", ticketId)).Should().Be(0);
    }

    private Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code) => Client.ScanInAsync(device, eventId, code, "Main");
}
