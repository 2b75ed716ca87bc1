using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Scanning.Tests;

/// <summary>The gate as a whole: racing devices, a real QR image, offline manifests and uploads, the organizer's view.</summary>
public sealed class GateTests(ScanningFixture fixture) : IClassFixture<ScanningFixture>
{
    [Fact]
    public async Task Two_devices_scanning_one_ticket_at_the_same_moment_admit_it_once()
    {
        var venue = await fixture.VenueAsync();
        var second = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId);
        var tickets = new List<FanTicket>();
        for (var i = 0; i < 5; i++)
        {
            tickets.Add(await fixture.TicketAsync(venue));
        }

        var scans = await Task.WhenAll(tickets.SelectMany(t => Enumerable.Range(0, 4).Select(i =>
            fixture.ScanAsync(i % 2 == 0 ? venue.Device : second, venue.Event.EventId, t.Current(), gate: $"Gate {i}"))));

        foreach (var ticket in tickets)
        {
            scans.Where(s => s.GetProperty("ticketId").GetGuid() == ticket.TicketId).Count(s => s.Allowed()).Should().Be(1);
            (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1 and allowed", ticket.TicketId)).Should().Be(1);
            (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1", ticket.TicketId)).Should().Be(4, "every scan is recorded");
        }

        scans.Where(s => !s.Allowed()).Should().OnlyContain(s => s.Reason() == "duplicate");
    }

    [ToolFact("zbarimg", "zbar-tools")]
    public async Task The_qr_image_the_fan_is_shown_decodes_with_zbarimg_into_a_code_the_gate_admits()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        using var qr = await fixture.Client.SendAsync(ticket.Fan, HttpMethod.Get, $"/api/tickets/{ticket.TicketId}/qr?format=png");
        qr.StatusCode.Should().Be(HttpStatusCode.OK);
        var png = await qr.Content.ReadAsByteArrayAsync();

        var decoded = await QrCodes.DecodeAsync(png);
        var scan = await fixture.ScanAsync(venue.Device, venue.Event.EventId, decoded);

        decoded.Should().StartWith("TT2.", "the app shows version 2 of the code");
        scan.Allowed().Should().BeTrue(scan.ToString());
        scan.GetProperty("ticketId").GetGuid().Should().Be(ticket.TicketId);
    }

    [Fact]
    public async Task The_manifest_is_signed_carries_per_ticket_secrets_that_make_the_fans_codes_and_never_the_event_key()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        var refunded = await fixture.TicketAsync(venue);
        await fixture.Issuer(refunded.OrderId).RevokeAsync(new RevokeTickets(refunded.OrderId, null, RevokeTickets.Refunded));
        await fixture.WaitForStatusAsync(refunded.TicketId, TicketStatuses.Refunded);

        using var response = await fixture.SendAsync(venue.Device, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/manifest");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadAsByteArrayAsync();
        var signature = response.Headers.GetValues("X-Manifest-Signature").Single();
        using var keys = await fixture.SendAsync(venue.Device, HttpMethod.Get, "/api/scanning/keys");
        var keySet = await keys.ShouldBeAsync(HttpStatusCode.OK);

        VerifyDetachedJws(signature, body, keySet).Should().BeTrue("the manifest verifies with the published key");
        body[^2] ^= 1;
        VerifyDetachedJws(signature, body, keySet).Should().BeFalse("a changed manifest does not");
        body[^2] ^= 1;
        using var manifest = JsonDocument.Parse(body);
        var root = manifest.RootElement;
        root.GetProperty("expiresAt").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow).And.BeOnOrBefore(root.GetProperty("checkInClosesAt").GetDateTimeOffset());
        root.GetProperty("policy").Text("template").Should().Be("standard");
        root.Text("format").Should().Be("tickettoken-manifest/2");
        var code = root.GetProperty("code");
        code.GetProperty("stepSeconds").GetInt32().Should().Be(ticket.StepSeconds);
        code.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Should().Equal("TT1", "TT2", "TTP");
        code.GetProperty("totp").Text("keyLabel").Should().Be(TotpCode.KeyLabel);
        code.GetProperty("totp").GetProperty("digits").GetInt32().Should().Be(8);
        code.GetProperty("pass").Text("label").Should().Be(PassCode.Label);
        code.GetProperty("pass").GetProperty("allowed").GetBoolean().Should().BeTrue("the organizer did not forbid wallet passes");
        var entries = root.GetProperty("tickets").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetGuid());
        var mine = entries[ticket.TicketId];
        mine.Text("zone").Should().Be("GA");
        mine.Text("status").Should().Be("active");
        var offlineSecret = Base64Url.DecodeFromChars(mine.Text("secret"));
        offlineSecret.Should().Equal(ticket.Secret, "a device computes the fan's codes from it");
        EntryCodes.TryParse(ticket.Current(), out var shown).Should().BeTrue();
        EntryCodes.IsMadeWith(shown, offlineSecret, ticket.StepSeconds).Should().BeTrue("a device offline checks the app's TT2 code with the manifest's secret");
        entries[refunded.TicketId].Text("status").Should().Be("refunded");
        entries[refunded.TicketId].TryGetProperty("secret", out _).Should().BeFalse("a ticket that cannot enter needs no secret");
        var key = await fixture.Database.ScalarAsync<byte[]>("select key_ciphertext from tickets.events where id = $1", venue.Event.EventId);
        Encoding.UTF8.GetString(body).Should().NotContain(Base64Url.EncodeToString(key)).And.NotContain(Convert.ToBase64String(key));
    }

    [Fact]
    public async Task Devices_asking_at_once_share_one_manifest_until_a_ticket_changes()
    {
        var venue = await fixture.VenueAsync();
        var second = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId);
        var ticket = await fixture.TicketAsync(venue);
        var path = $"/api/scanning/events/{venue.Event.EventId}/manifest";

        var (first, firstSignature) = await ManifestAsync(venue.Device, path);
        var (same, sameSignature) = await ManifestAsync(second, path);
        await fixture.Issuer(ticket.OrderId).RevokeAsync(new RevokeTickets(ticket.OrderId, null, RevokeTickets.Refunded));
        await fixture.WaitForStatusAsync(ticket.TicketId, TicketStatuses.Refunded);
        var (after, afterSignature) = await ManifestAsync(second, path);

        same.Should().Equal(first, "one manifest serves every device of the event");
        sameSignature.Should().Be(firstSignature);
        afterSignature.Should().NotBe(firstSignature);
        using var json = JsonDocument.Parse(after);
        json.RootElement.GetProperty("tickets").EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == ticket.TicketId).Text("status")
            .Should().Be("refunded", "a changed ticket makes a new manifest at once");
    }

    private async Task<(byte[] Body, string Signature)> ManifestAsync(ScannerDevice device, string path)
    {
        using var response = await fixture.SendAsync(device, HttpMethod.Get, path);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadAsByteArrayAsync(), response.Headers.GetValues("X-Manifest-Signature").Single());
    }

    [Fact]
    public async Task Only_a_device_of_the_events_organizer_and_venue_gets_its_manifest()
    {
        var venue = await fixture.VenueAsync();
        var (otherAdmin, otherOrganizer) = await fixture.Personas.OrganizerAdminAsync();
        var foreign = await fixture.DeviceAsync(otherAdmin, otherOrganizer, await fixture.Personas.VenueAsync(otherAdmin, otherOrganizer));
        var elsewhere = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, await fixture.Personas.VenueAsync(venue.Admin, venue.OrganizerId, "Second stage"));
        var path = $"/api/scanning/events/{venue.Event.EventId}/manifest";

        using var foreignResponse = await fixture.SendAsync(foreign, HttpMethod.Get, path);
        using var elsewhereResponse = await fixture.SendAsync(elsewhere, HttpMethod.Get, path);
        using var admin = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Get, path);

        await foreignResponse.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await elsewhereResponse.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await admin.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Offline_admissions_of_one_ticket_on_two_devices_keep_the_earliest_and_report_the_other_and_uploads_are_idempotent()
    {
        var venue = await fixture.VenueAsync();
        var other = await fixture.DeviceAsync(venue.Admin, venue.OrganizerId, venue.VenueId);
        var ticket = await fixture.TicketAsync(venue);
        var now = DateTimeOffset.UtcNow;
        object Scan(Guid id, int minutesAgo) => new
        {
            id, eventId = venue.Event.EventId, ticketId = ticket.TicketId, gate = "West", zone = "GA", direction = "entry", allowed = true, scannedAt = now.AddMinutes(-minutesAgo),
        };
        var firstId = Guid.NewGuid();
        var laterId = Guid.NewGuid();

        using var later = await fixture.SendAsync(other, HttpMethod.Post, "/api/scans/reconcile", new { scans = new[] { Scan(laterId, 6) } });
        using var first = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new { scans = new[] { Scan(firstId, 7) } });
        using var again = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new { scans = new[] { Scan(firstId, 7) } });

        (await later.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("conflicts").GetArrayLength().Should().Be(0, "alone, it was fine");
        var reported = (await first.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("conflicts").EnumerateArray().Single();
        reported.GetProperty("deviceId").GetGuid().Should().Be(other.DeviceId, "the later admission is the conflict");
        reported.GetProperty("firstDeviceId").GetGuid().Should().Be(venue.Device.DeviceId);
        reported.Text("reason").Should().Be("duplicate");
        var repeated = await again.ShouldBeAsync(HttpStatusCode.OK);
        repeated.GetProperty("recorded").GetInt32().Should().Be(0);
        repeated.GetProperty("alreadyRecorded").GetInt32().Should().Be(1);
        using var conflicts = await fixture.Client.SendAsync(venue.Admin, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/conflicts");
        var listed = (await conflicts.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("conflicts").EnumerateArray().Single();
        listed.GetProperty("ticketId").GetGuid().Should().Be(ticket.TicketId);
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Reason().Should().Be("reentry_not_allowed", "the ticket is in: its offline admission counts");
        var told = await fixture.Events.WaitForAsync("scanning.entry-conflict", e => e.GetProperty("ticketId").GetGuid() == ticket.TicketId);
        told.GetProperty("organizerId").GetGuid().Should().Be(venue.OrganizerId);
        told.GetProperty("scanId").GetGuid().Should().Be(reported.GetProperty("scanId").GetGuid());
        fixture.Events.On("scanning.entry-conflict").Count(e => e.GetProperty("ticketId").GetGuid() == ticket.TicketId).Should().Be(1, "the repeated upload told nobody again");
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1 and offline", ticket.TicketId)).Should().Be(2);
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync();
        using var foreign = await fixture.Client.SendAsync(stranger, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/conflicts");
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
    }

    [Fact]
    public async Task Uploads_for_another_organizers_event_or_another_events_ticket_from_the_future_or_too_large_are_problems_that_record_nothing()
    {
        var venue = await fixture.VenueAsync();
        var theirs = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        object Scan(Guid eventId, DateTimeOffset at) => new
        {
            id = Guid.NewGuid(), eventId, ticketId = ticket.TicketId, gate = "West", zone = "GA", direction = "entry", allowed = true, scannedAt = at,
        };

        using var foreign = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new { scans = new[] { Scan(theirs.Event.EventId, DateTimeOffset.UtcNow) } });
        using var future = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new { scans = new[] { Scan(venue.Event.EventId, DateTimeOffset.UtcNow.AddHours(1)) } });
        using var tooMany = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile",
            new { scans = Enumerable.Range(0, 5001).Select(_ => Scan(venue.Event.EventId, DateTimeOffset.UtcNow)).ToArray() });
        var otherTicket = await fixture.TicketAsync(theirs);
        using var strangeTicket = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new
        {
            scans = new[] { Scan(venue.Event.EventId, DateTimeOffset.UtcNow), new { id = Guid.NewGuid(), eventId = venue.Event.EventId, ticketId = otherTicket.TicketId, gate = "West", zone = "GA", direction = "entry", allowed = true, scannedAt = DateTimeOffset.UtcNow } },
        });
        using var badZone = await fixture.SendAsync(venue.Device, HttpMethod.Post, "/api/scans/reconcile", new
        {
            scans = new[] { new { id = Guid.NewGuid(), eventId = venue.Event.EventId, ticketId = ticket.TicketId, gate = "West", zone = "PIT", direction = "entry", allowed = true, scannedAt = DateTimeOffset.UtcNow } },
        });

        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
        await future.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "scan_in_the_future");
        await tooMany.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "too_many_scans");
        await badZone.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await strangeTicket.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "unknown_ticket");
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1", otherTicket.TicketId)).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(*) from scanning.scans where ticket_id = $1", ticket.TicketId)).Should().Be(0);
        (await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current())).Allowed().Should().BeTrue("nothing was recorded for it");
    }

    [Fact]
    public async Task Gate_statistics_count_admissions_exits_and_denials_by_reason_gate_and_minute_for_the_organizers_staff()
    {
        var venue = await fixture.VenueAsync();
        var ticket = await fixture.TicketAsync(venue);
        await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), gate: "North");
        await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), gate: "North");
        await fixture.ScanAsync(venue.Device, venue.Event.EventId, ticket.Current(), gate: "South", direction: "exit");
        await fixture.ScanAsync(venue.Device, venue.Event.EventId, "garbage", gate: "South");
        var boxOffice = await fixture.Personas.StaffAsync(venue.Admin, venue.OrganizerId, "box_office", fixture.Events);

        using var response = await fixture.Client.SendAsync(boxOffice, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/stats");
        var stats = await response.ShouldBeAsync(HttpStatusCode.OK);

        stats.GetProperty("admitted").GetInt64().Should().Be(1);
        stats.GetProperty("exits").GetInt64().Should().Be(1);
        stats.GetProperty("denied").GetInt64().Should().Be(2);
        stats.GetProperty("deniedByReason").GetProperty("duplicate").GetInt64().Should().Be(1);
        stats.GetProperty("deniedByReason").GetProperty("malformed_code").GetInt64().Should().Be(1);
        var gates = stats.GetProperty("gates").EnumerateArray().ToDictionary(g => g.Text("gate"));
        gates["North"].GetProperty("admitted").GetInt64().Should().Be(1);
        gates["North"].GetProperty("denied").GetInt64().Should().Be(1);
        gates["South"].GetProperty("exits").GetInt64().Should().Be(1);
        stats.GetProperty("perMinute").EnumerateArray().Sum(m => m.GetProperty("admitted").GetInt64() + m.GetProperty("denied").GetInt64() + m.GetProperty("exits").GetInt64())
            .Should().Be(4);
        var (stranger, _) = await fixture.Personas.OrganizerAdminAsync();
        using var foreign = await fixture.Client.SendAsync(stranger, HttpMethod.Get, $"/api/scanning/events/{venue.Event.EventId}/stats");
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
    }

    [Fact]
    public async Task The_scan_log_refuses_changes_and_deletions()
    {
        var venue = await fixture.VenueAsync();
        await fixture.ScanAsync(venue.Device, venue.Event.EventId, "garbage");

        var update = async () => await fixture.Database.ExecuteAsync("update scanning.scans set allowed = true, reason = null where event_id = $1", venue.Event.EventId);
        var delete = async () => await fixture.Database.ExecuteAsync("delete from scanning.scans where event_id = $1", venue.Event.EventId);

        await update.Should().ThrowAsync<Npgsql.PostgresException>().WithMessage("*append-only*");
        await delete.Should().ThrowAsync<Npgsql.PostgresException>().WithMessage("*append-only*");
    }

    private static bool VerifyDetachedJws(string jws, byte[] payload, JsonElement keySet)
    {
        var parts = jws.Split('.');
        parts.Should().HaveCount(3);
        parts[1].Should().BeEmpty("the payload is detached");
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        header.RootElement.Text("alg").Should().Be("ES256");
        header.RootElement.GetProperty("b64").GetBoolean().Should().BeFalse();
        var jwk = keySet.GetProperty("keys").EnumerateArray().Single(k => k.Text("kid") == header.RootElement.Text("kid"));
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.Text("x")), Y = Base64Url.DecodeFromChars(jwk.Text("y")) },
        });
        var input = Encoding.ASCII.GetBytes(parts[0] + ".").Concat(payload).ToArray();
        return key.VerifyData(input, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
