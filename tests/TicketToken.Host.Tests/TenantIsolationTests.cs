using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Host.Tests;

/// <summary>
/// DESIGN.md invariant 6 and OWASP API1: an organizer's staff see only their organizer's data, and a fan only
/// their own. Someone else's resource is answered 404: not 403, which would confirm it exists, and never data.
/// </summary>
public sealed class TenantIsolationTests(AuthorizationFixture fixture) : IClassFixture<AuthorizationFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Every_organizer_read_route_answers_another_organizers_admin_with_404_and_its_own_admin_with_200()
    {
        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern)
            .Where(p => p.Parameters.Count == 1 && p.Parameters[0].Name == "organizerId")
            .Select(p => p.RawText!)
            .ToList();
        routes.Should().Contain("/api/organizers/{organizerId:guid}/members", "the enumeration finds the organizer routes");

        foreach (var route in routes)
        {
            var pathOfA = route.Replace("{organizerId:guid}", fixture.OrganizerA.ToString(), StringComparison.Ordinal);

            using var foreign = await SendAsync(fixture.AdminOfB, HttpMethod.Get, pathOfA);
            using var own = await SendAsync(fixture.AdminOfA, HttpMethod.Get, pathOfA);
            using var operator_ = await SendAsync(fixture.PlatformAdmin, HttpMethod.Get, pathOfA);

            foreign.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} belongs to organizer A", pathOfA);
            (await Problem.ReadAsync(foreign)).Code.Should().Be("organizer_not_found");
            (await foreign.Content.ReadAsStringAsync()).Should().NotContain("Organizer A");
            own.StatusCode.Should().Be(HttpStatusCode.OK, "{0} is organizer A's own", pathOfA);
            operator_.StatusCode.Should().Be(HttpStatusCode.OK, "platform admins support every organizer");
        }
    }

    [Fact]
    public async Task Another_organizers_admin_cannot_change_anything_of_organizer_A()
    {
        var a = fixture.OrganizerA;
        var device = await fixture.Personas.DeviceAsync(fixture.AdminOfA, a);

        (HttpMethod, string, object?)[] attempts =
        [
            (HttpMethod.Patch, $"/api/organizers/{a}", new { name = "Hijacked", requireMfa = false }),
            (HttpMethod.Post, $"/api/organizers/{a}/invitations", new { email = Personas.NewEmail("intruder"), role = "organizer_admin" }),
            (HttpMethod.Put, $"/api/organizers/{a}/members/{fixture.BoxOfficeOfA.UserId}", new { role = "organizer_admin" }),
            (HttpMethod.Delete, $"/api/organizers/{a}/members/{fixture.AdminOfA.UserId}", null),
            (HttpMethod.Post, $"/api/organizers/{a}/devices", new { name = "Rogue scanner", venueId = Guid.NewGuid() }),
            (HttpMethod.Delete, $"/api/organizers/{a}/devices/{device.DeviceId}", null),
        ];

        foreach (var (method, path, body) in attempts)
        {
            using var response = await SendAsync(fixture.AdminOfB, method, path, body);

            response.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} {1} targets organizer A", method, path);
        }

        using var organizer = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/organizers/{a}");
        (await organizer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString().Should().Be("Organizer A");
        using var members = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/organizers/{a}/members");
        var roles = (await members.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToDictionary(m => m.GetProperty("userId").GetGuid(), m => m.GetProperty("role").GetString());
        roles[fixture.AdminOfA.UserId].Should().Be("organizer_admin");
        roles[fixture.BoxOfficeOfA.UserId].Should().Be("box_office");
        using var token = await Client.PostAsJsonAsync("/api/devices/token", new { deviceId = device.DeviceId, secret = device.Secret });
        token.StatusCode.Should().Be(HttpStatusCode.OK, "the device of A was not revoked by B's admin");
    }

    [Fact]
    public async Task Box_office_staff_see_their_own_organizer_and_not_another()
    {
        using var own = await SendAsync(fixture.BoxOfficeOfA, HttpMethod.Get, $"/api/organizers/{fixture.OrganizerA}");
        using var foreign = await SendAsync(fixture.BoxOfficeOfA, HttpMethod.Get, $"/api/organizers/{fixture.OrganizerB}");

        own.StatusCode.Should().Be(HttpStatusCode.OK);
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_fan_cannot_end_another_fans_session()
    {
        var victim = await fixture.Personas.FanAsync();
        var sessionId = (await ListSessionsAsync(victim)).Single().GetProperty("id").GetGuid();

        using var attempt = await SendAsync(fixture.OtherFan, HttpMethod.Delete, $"/api/me/sessions/{sessionId}");

        attempt.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ListSessionsAsync(victim)).Should().ContainSingle(s => s.GetProperty("id").GetGuid() == sessionId);
        var refreshed = await fixture.Personas.RefreshAsync(victim);
        refreshed.AccessToken.Should().NotBe(victim.AccessToken, "the victim's session still works");
    }

    [Fact]
    public async Task A_fan_sees_only_their_own_profile_and_sessions()
    {
        var fan = await fixture.Personas.FanAsync();

        using var profile = await SendAsync(fan, HttpMethod.Get, "/api/me");
        var sessions = await ListSessionsAsync(fan);

        (await profile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().Should().Be(fan.UserId);
        sessions.Should().OnlyContain(s => s.GetProperty("current").GetBoolean(), "the fan has one session: the one asking");
    }

    [Fact]
    public async Task Every_scanning_route_of_an_event_answers_another_organizer_and_its_devices_with_404()
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        var eventId = Guid.NewGuid();
        var venueId = fixture.ScannerOfA.VenueId;
        await fixture.Host.GetKeyed<IEventPublisher>("catalog").PublishEventAsync(PubSubNames.Default, EventPublished.Topic,
            new EventPublished(eventId, fixture.OrganizerA, venueId, "A's night", start, start.AddHours(3), "Europe/Berlin", "EUR", start.AddDays(-30), start,
                new PurchaseLimits(8, 8), [], [], new ResalePolicy(false, null, 0), 1));
        var scannerOfB = await fixture.Personas.DeviceAsync(fixture.AdminOfB, fixture.OrganizerB);
        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => p.StartsWith("/api/scanning/events/{eventId:guid}", StringComparison.Ordinal))
            .ToList();
        routes.Should().Contain("/api/scanning/events/{eventId:guid}/manifest", "the enumeration finds the scanning routes");
        await Eventually.AssertAsync(async () =>
        {
            using var own = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/scanning/events/{eventId}/policy");
            own.StatusCode.Should().Be(HttpStatusCode.OK, "scanning has heard of the event");
            using var manifest = await SendAsync(fixture.ScannerOfA.AccessToken, HttpMethod.Get, $"/api/scanning/events/{eventId}/manifest");
            manifest.StatusCode.Should().Be(HttpStatusCode.OK, "scanning has heard of the device, and tickets of the event");
            using var foreignManifest = await SendAsync(scannerOfB.AccessToken, HttpMethod.Get, $"/api/scanning/events/{eventId}/manifest");
            foreignManifest.StatusCode.Should().Be(HttpStatusCode.NotFound, "scanning has heard of B's device");
        });

        foreach (var route in routes)
        {
            var path = route.Replace("{eventId:guid}", eventId.ToString(), StringComparison.Ordinal);
            var forDevices = path.EndsWith("/manifest", StringComparison.Ordinal);

            using var foreign = forDevices ? await SendAsync(scannerOfB.AccessToken, HttpMethod.Get, path) : await SendAsync(fixture.AdminOfB, HttpMethod.Get, path);
            using var own = forDevices ? await SendAsync(fixture.ScannerOfA.AccessToken, HttpMethod.Get, path) : await SendAsync(fixture.AdminOfA, HttpMethod.Get, path);

            foreign.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} is organizer A's event", path);
            (await Problem.ReadAsync(foreign)).Code.Should().Be("event_not_found");
            own.StatusCode.Should().Be(HttpStatusCode.OK, "{0} is organizer A's own", path);
        }

        using var put = await SendAsync(fixture.AdminOfB, HttpMethod.Put, $"/api/scanning/events/{eventId}/policy", new { template = "festival" });
        put.StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var policy = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/scanning/events/{eventId}/policy");
        (await policy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("policy").GetProperty("template").GetString().Should().Be("standard", "B's change changed nothing");
    }

    [Fact]
    public async Task Every_route_of_a_ticket_answers_another_fan_with_404_and_its_owner_with_200()
    {
        var order = Guid.NewGuid();
        var issuer = fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(order), TicketsActors.Issuer);
        await issuer.IssueAsync(new IssueTickets(order, "TT-ISOLATION", Guid.NewGuid(), fixture.OrganizerA, fixture.Fan.UserId,
            [new TicketLine(1, Guid.NewGuid(), "Standing", null, null, null, null, null, 2_000, "EUR")]));
        var ticketId = (await issuer.ActivateAsync(new ActivateTickets(order))).Tickets.Single().TicketId;
        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => p.Contains("{ticketId:guid}", StringComparison.Ordinal) && !p.Contains("{organizerId:guid}", StringComparison.Ordinal)) // support's routes: below
            .ToList();
        routes.Should().Contain("/api/tickets/{ticketId:guid}", "the enumeration finds the ticket routes");

        routes.Should().Contain("/api/minting/tickets/{ticketId:guid}", "minting's record of a ticket is the owner's too");
        foreach (var route in routes)
        {
            var path = route.Replace("{ticketId:guid}", ticketId.ToString(), StringComparison.Ordinal);
            if (route.StartsWith("/api/minting/", StringComparison.Ordinal))
            {
                // Minting knows the ticket once tickets.changed reached it (it mirrors the tickets module in the background).
                await Eventually.TrueAsync(async () =>
                {
                    using var known = await SendAsync(fixture.Fan, HttpMethod.Get, path);
                    return known.StatusCode == HttpStatusCode.OK;
                }, "minting received the ticket's change");
            }

            using var foreign = await SendAsync(fixture.OtherFan, HttpMethod.Get, path);
            using var own = await SendAsync(fixture.Fan, HttpMethod.Get, path);

            foreign.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} is another fan's ticket", path);
            (await Problem.ReadAsync(foreign)).Code.Should().Be("ticket_not_found");
            own.StatusCode.Should().Be(HttpStatusCode.OK, "{0} is the fan's own ticket", path);
        }

        // Support's routes: organizer B's admin neither reads nor locks organizer A's ticket, by either organizer's path.
        foreach (var (organizer, code) in new[] { (fixture.OrganizerB, "ticket_not_found"), (fixture.OrganizerA, "organizer_not_found") })
        {
            var support = $"/api/tickets/organizers/{organizer}/tickets/{ticketId}";
            using var audit = await SendAsync(fixture.AdminOfB, HttpMethod.Get, $"{support}/audit");
            using var locking = await SendAsync(fixture.AdminOfB, HttpMethod.Post, $"{support}/lock", new { note = "Not mine to lock" });
            using var unlocking = await SendAsync(fixture.AdminOfB, HttpMethod.Post, $"{support}/unlock", new { note = "Not mine to unlock" });
            foreach (var response in new[] { audit, locking, unlocking })
            {
                response.StatusCode.Should().Be(HttpStatusCode.NotFound);
                (await Problem.ReadAsync(response)).Code.Should().Be(code);
            }
        }

        using (var ownAudit = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/tickets/organizers/{fixture.OrganizerA}/tickets/{ticketId}/audit"))
        {
            ownAudit.StatusCode.Should().Be(HttpStatusCode.OK, "organizer A's admin reads the audit of A's ticket");
        }

        (await fixture.Database.ScalarAsync<bool>("select lock_reason is null from tickets.tickets where id = $1", ticketId)).Should().BeTrue("another organizer's lock changed nothing");

        using var list = await SendAsync(fixture.OtherFan, HttpMethod.Get, "/api/tickets");
        (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Should().NotContain(t => t.GetProperty("id").GetGuid() == ticketId);
    }

    [Fact]
    public async Task Ids_of_another_organizer_or_fan_in_a_request_body_are_answered_404_and_change_nothing()
    {
        var (a, b) = (fixture.OrganizerA, fixture.OrganizerB);
        var ofA = await OnSaleEvents.CreateAsync(Client, fixture.AdminOfA, a, "A's night");
        var ofB = await OnSaleEvents.CreateAsync(Client, fixture.AdminOfB, b, "B's night");
        var heldByOther = await HoldIdAsync(fixture.OtherFan, ofA.EventId, "STALLS-B-1");
        var startsAt = DateTimeOffset.UtcNow.AddDays(90);
        (Person Caller, HttpMethod Method, string Path, object Body, string Code)[] attempts =
        [
            (fixture.AdminOfA, HttpMethod.Post, $"/api/organizers/{a}/devices", new { name = "Gate of B", venueId = ofB.VenueId }, "venue_not_found"),
            (fixture.AdminOfA, HttpMethod.Patch, $"/api/organizers/{a}/devices/{fixture.ScannerOfA.DeviceId}", new { venueId = ofB.VenueId }, "venue_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, "/api/venues", new
            {
                organizerId = b, name = "Planted", timeZone = "Europe/Berlin", capacity = 10,
                address = new { line1 = "Kai 1", city = "Hamburg", postalCode = "20457", country = "DE" },
            }, "organizer_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, "/api/events", new
            {
                organizerId = a, venueId = ofB.VenueId, name = "At B's hall", startsAt, endsAt = startsAt.AddHours(2), currency = "EUR",
            }, "venue_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, "/api/events", new
            {
                organizerId = a, venueId = ofA.VenueId, seatMapId = ofB.SeatMapId, name = "With B's map", startsAt, endsAt = startsAt.AddHours(2), currency = "EUR",
            }, "seat_map_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/venues/{ofB.VenueId}/seatmaps/{ofB.SeatMapId}/pretix", new { }, "venue_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/events/{ofB.EventId}/changes", new { }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/events/{ofB.EventId}/changes/reschedule",
                new { expectedVersion = 1, startsAt, endsAt = startsAt.AddHours(2), refundWindowDays = 7, reason = "Planted" }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/events/{ofB.EventId}/changes/venue-details", new { expectedVersion = 1, venueName = "Planted" }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/events/{ofB.EventId}/changes/capacity",
                new { expectedVersion = 1, add = new[] { new { name = "Planted", kind = "general_admission", capacity = 1, priceMinor = 1 } } }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/events/{ofB.EventId}/changes/prices",
                new { expectedVersion = 1, prices = new[] { new { ticketTypeId = Guid.NewGuid(), priceMinor = 1 } } }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/venues/{ofB.VenueId}/seatmaps/pretix", new
            {
                name = "Planted", categories = new[] { new { name = "P" } }, size = new { width = 10, height = 10 },
                zones = new[] { new { position = new { x = 0, y = 0 }, rows = new[] { new { row_number = "A", seats = new[] { new { seat_guid = "g", seat_number = "1", position = new { x = 0, y = 0 }, category = "P" } } } } } },
            }, "venue_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/orders/organizers/{a}/promo-codes", new { code = "STOLEN", eventId = ofB.EventId, percentBasisPoints = 1000 }, "event_not_found"),
            (fixture.Fan, HttpMethod.Post, "/api/orders", new { eventId = ofA.EventId, holdId = heldByOther }, "hold_not_found"),
            (fixture.Fan, HttpMethod.Post, "/api/orders/passes", new { passId = Guid.NewGuid(), passHoldId = heldByOther }, "pass_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/orders/organizers/{a}/events/{ofB.EventId}/comps",
                new { guests = new[] { new { name = "Planted", reason = "guest", ticketType = "Standard" } } }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/orders/organizers/{b}/events/{ofB.EventId}/comps",
                new { guests = new[] { new { name = "Planted", reason = "guest", ticketType = "Standard" } } }, "organizer_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{a}/events/{ofB.EventId}/guest-list", new { }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{a}/events/{ofB.EventId}/cancellation", new { }, "cancellation_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{a}/events/{ofB.EventId}/sales", new { }, "event_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{b}/events/{ofB.EventId}/sales?format=csv", new { }, "organizer_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{a}/events/{ofB.EventId}/sales.svg", new { }, "event_not_found"),
            (fixture.BoxOfficeOfA, HttpMethod.Post, $"/api/orders/organizers/{a}/box-office/events/{ofB.EventId}/sales",
                new { seats = new[] { "STALLS-A-1" }, payment = new { method = "cash" } }, "event_not_found"),
            (fixture.BoxOfficeOfA, HttpMethod.Post, $"/api/orders/organizers/{b}/box-office/events/{ofB.EventId}/sales",
                new { seats = new[] { "STALLS-A-1" }, payment = new { method = "cash" } }, "organizer_not_found"),
            (fixture.BoxOfficeOfA, HttpMethod.Get, $"/api/orders/organizers/{b}/box-office/orders?q=a", new { }, "organizer_not_found"),
            (fixture.BoxOfficeOfA, HttpMethod.Get, $"/api/orders/organizers/{b}/box-office/orders/{Guid.NewGuid()}", new { }, "organizer_not_found"),
            (fixture.BoxOfficeOfA, HttpMethod.Post, $"/api/orders/organizers/{b}/box-office/orders/{Guid.NewGuid()}/will-call/release",
                new { documentType = "passport", collectedBy = "Planted" }, "organizer_not_found"),
            (fixture.AdminOfA, HttpMethod.Get, $"/api/orders/organizers/{b}/box-office/audit", new { }, "organizer_not_found"),
            (fixture.AdminOfA, HttpMethod.Post, $"/api/tickets/organizers/{b}/tickets/{Guid.NewGuid()}/reissue", new { reason = "lost", note = "Planted reissue" },
                "organizer_not_found"),
        ];
        await Eventually.TrueAsync(async () => await new Fuzz.DatabaseFingerprint(fixture.Database.ConnectionString).PendingWorkAsync() == 0, "the set-up's events were delivered");
        var fingerprint = new Fuzz.DatabaseFingerprint(fixture.Database.ConnectionString);
        var before = await fingerprint.TakeAsync();

        foreach (var (caller, method, path, body, code) in attempts)
        {
            using var request = caller.Request(method, path, body);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await Client.SendAsync(request);

            await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, code);
        }

        Fuzz.DatabaseFingerprint.Changed(before, await fingerprint.TakeAsync()).Should().BeEmpty("a request naming someone else's resource changes nothing");
    }

    [Fact]
    public async Task A_fans_pass_is_listed_and_given_away_by_its_owner_only()
    {
        var order = Guid.NewGuid();
        var (passId, days) = (Guid.NewGuid(), new[] { Guid.NewGuid(), Guid.NewGuid() });
        var issuer = fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(order), TicketsActors.Issuer);
        await issuer.IssueAsync(new IssueTickets(order, "TT-PASS-ISOLATION", days[0], fixture.OrganizerA, fixture.Fan.UserId,
            [.. days.Select((day, i) => new TicketLine(i + 1, Guid.NewGuid(), "Weekend", null, null, null, null, null, 4_000, "EUR", day, passId, "Weekend pass"))]));
        var ticketIds = (await issuer.ActivateAsync(new ActivateTickets(order))).Tickets.Select(t => t.TicketId).ToList();

        using var foreignList = await SendAsync(fixture.OtherFan, HttpMethod.Get, "/api/tickets/passes");
        using var ownList = await SendAsync(fixture.Fan, HttpMethod.Get, "/api/tickets/passes");
        using var foreignGift = await SendAsync(fixture.OtherFan, HttpMethod.Post, $"/api/tickets/{ticketIds[0]}/transfers",
            new { recipientEmail = "thief@example.com", wholePass = true });

        (await foreignList.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Should().NotContain(p => p.GetProperty("passId").GetGuid() == passId);
        (await ownList.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single(p => p.GetProperty("passId").GetGuid() == passId)
            .GetProperty("events").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).Should().BeEquivalentTo(ticketIds);
        foreignGift.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Problem.ReadAsync(foreignGift)).Code.Should().Be("ticket_not_found");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.transfers where ticket_id = any($1)", ticketIds.ToArray())).Should().Be(0);
    }

    [Fact]
    public async Task A_fan_cannot_export_another_fans_wallet_even_with_a_fresh_proof_of_their_own()
    {
        string address;
        await using (var scope = fixture.Host.Services.CreateAsyncScope())
        {
            // Wallets are made by the Solana backend on a fan's first token; this host mirrors to the registry, so make it directly.
            address = (await scope.ServiceProvider.GetRequiredService<TicketToken.Minting.Domain.CustodialWallets>().OfAsync(fixture.Fan.UserId, default)).PublicKey.ToString();
        }

        using var reauthenticated = await SendAsync(fixture.OtherFan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = fixture.OtherFan.Password });
        var proof = (await reauthenticated.ShouldBeAsync(HttpStatusCode.OK)).Text("proof");

        using var foreign = await SendAsync(fixture.OtherFan, HttpMethod.Post, $"/api/minting/wallets/{address}/export", new { reauthenticationProof = proof });

        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "wallet_not_found");
        (await foreign.Content.ReadAsStringAsync()).Should().NotContain(fixture.Fan.UserId.ToString(), "the answer says nothing of whose wallet it is");
        (await fixture.Database.ScalarAsync<bool>("select exported_at is null from minting.wallets where address = $1", address)).Should().BeTrue();
        (await fixture.Database.ScalarAsync<string>("select outcome from minting.wallet_export_attempts where fan_id = $1 and address = $2", fixture.OtherFan.UserId, address))
            .Should().Be("wallet_not_found", "the attempt on someone else's wallet is audited");
    }

    private async Task<Guid> HoldIdAsync(Person fan, Guid eventId, string seat)
    {
        using var response = await SendAsync(fan, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { seats = new[] { seat } });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("holdId").GetGuid();
    }

    [Fact]
    public async Task Every_route_of_a_webhook_endpoint_answers_another_organizers_admin_with_404_and_changes_nothing()
    {
        var (a, b) = (fixture.OrganizerA, fixture.OrganizerB);
        using var created = await SendAsync(fixture.AdminOfA, HttpMethod.Post, $"/api/notifications/organizers/{a}/webhooks",
            new { url = "http://127.0.0.1:9/tickettoken", eventTypes = new[] { "order.confirmed" }, description = "A's accounting" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var endpointId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/notifications/organizers/{organizerId:guid}/webhooks/{endpointId:guid}", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: new HttpMethod(m), Route: e.RoutePattern.RawText!)))
            .ToList();
        routes.Select(r => r.Method).Should().Contain([HttpMethod.Get, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Post], "the enumeration finds the webhook routes");

        foreach (var (method, route) in routes)
        {
            var path = route.Replace("{endpointId:guid}", endpointId.ToString(), StringComparison.Ordinal)
                .Replace("{deliveryId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
            object? body = method == HttpMethod.Patch ? new { url = "http://127.0.0.1:9/hijacked", enabled = false }
                : route.EndsWith("/secret/rotate", StringComparison.Ordinal) ? new { keepPreviousHours = 1 }
                : null;

            // A's organizer in the path, and B's own organizer in the path with A's endpoint: neither reaches it.
            using var foreign = await SendAsync(fixture.AdminOfB, method, path.Replace("{organizerId:guid}", a.ToString(), StringComparison.Ordinal), body);
            using var smuggled = await SendAsync(fixture.AdminOfB, method, path.Replace("{organizerId:guid}", b.ToString(), StringComparison.Ordinal), body);

            foreign.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} {1} is organizer A's endpoint", method, route);
            (await Problem.ReadAsync(foreign)).Code.Should().Be("organizer_not_found");
            smuggled.StatusCode.Should().Be(HttpStatusCode.NotFound, "{0} {1} under organizer B does not find A's endpoint", method, route);
            (await Problem.ReadAsync(smuggled)).Code.Should().Be("webhook_endpoint_not_found");
            (await smuggled.Content.ReadAsStringAsync()).Should().NotContain("A's accounting");
        }

        using var own = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/notifications/organizers/{a}/webhooks/{endpointId}");
        var endpoint = await own.Content.ReadFromJsonAsync<JsonElement>();
        endpoint.GetProperty("url").GetString().Should().Be("http://127.0.0.1:9/tickettoken", "B's changes changed nothing");
        endpoint.GetProperty("enabled").GetBoolean().Should().BeTrue();
        endpoint.GetProperty("previousSecretExpiresAt").ValueKind.Should().Be(JsonValueKind.Null, "B did not rotate A's secret");
        using var deliveries = await SendAsync(fixture.AdminOfA, HttpMethod.Get, $"/api/notifications/organizers/{a}/webhooks/{endpointId}/deliveries");
        (await deliveries.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength().Should().Be(0, "B's ping never went out");
        using var listOfB = await SendAsync(fixture.AdminOfB, HttpMethod.Get, $"/api/notifications/organizers/{b}/webhooks");
        (await listOfB.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Should().NotContain(e => e.GetProperty("id").GetGuid() == endpointId);
    }

    [Fact]
    public async Task A_fan_lists_only_their_own_messages_and_another_organizer_finds_none_of_them()
    {
        var fan = await fixture.Personas.FanAsync();
        await Eventually.AssertAsync(async () =>
        {
            using var mine = await SendAsync(fan, HttpMethod.Get, "/api/notifications/me/messages");
            (await mine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                .Should().Contain(m => m.GetProperty("template").GetString() == "welcome" && m.GetProperty("recipientEmail").GetString() == fan.Email);
        });

        using var others = await SendAsync(fixture.OtherFan, HttpMethod.Get, $"/api/notifications/me/messages?email={Uri.EscapeDataString(fan.Email)}");
        using var organizer = await SendAsync(fixture.AdminOfB, HttpMethod.Get, $"/api/notifications/organizers/{fixture.OrganizerB}/messages?email={Uri.EscapeDataString(fan.Email)}");
        using var support = await SendAsync(fixture.PlatformAdmin, HttpMethod.Get, $"/api/notifications/messages?email={Uri.EscapeDataString(fan.Email)}");

        (await others.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength().Should().Be(0, "another fan's filter finds nothing of this fan's");
        (await organizer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength().Should().Be(0, "a welcome is about no organizer");
        (await support.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Should().Contain(m => m.GetProperty("template").GetString() == "welcome", "platform support finds it by address");
    }

    private async Task<List<JsonElement>> ListSessionsAsync(Person person)
    {
        using var response = await SendAsync(person, HttpMethod.Get, "/api/me/sessions");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    private async Task<HttpResponseMessage> SendAsync(string accessToken, HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        return await Client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(Person person, HttpMethod method, string path, object? body = null)
    {
        using var request = person.Request(method, path, body);
        return await Client.SendAsync(request);
    }
}
