using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>Organizers' webhooks against a real receiver: registration, signatures a receiver can check, the log, replay, ping, rotation.</summary>
public sealed class WebhookTests(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_subscribed_event_arrives_signed_so_that_a_receiver_verifies_it_with_nothing_but_its_secret()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Signed Stage");
        var endpoint = await CreateAsync(admin, organizerId, "signed", ["order.confirmed", "ticket.issued"]);
        var secret = endpoint.GetProperty("secret").GetString()!;
        secret.Should().StartWith("whsec_");
        var e = await fixture.AnnounceAsync(Sales.Event("Webhook Night", organizerId));
        var order = Sales.Order(e, Guid.NewGuid(), seats: 1);

        await fixture.PublishAsync(OrderConfirmed.Topic, Sales.Confirmed(order));
        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(Guid.NewGuid(), organizerId, "not subscribed", DateTimeOffset.UtcNow));

        await Eventually.TrueAsync(() => Task.FromResult(_receiver.To("signed").Count >= 1), "the receiver got the delivery");
        var request = _receiver.To("signed").Single();
        WebhookReceiver.Verify(request.Signature, request.Body, secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeTrue(request.Signature);
        WebhookReceiver.Verify(request.Signature, request.Body + " ", secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeFalse("a changed body fails");
        WebhookReceiver.Verify(request.Signature, request.Body, "whsec_someone-else", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeFalse();
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("type").GetString().Should().Be("order.confirmed");
        body.RootElement.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        body.RootElement.GetProperty("data").GetProperty("orderNumber").GetString().Should().Be(order.OrderNumber);
        body.RootElement.GetProperty("id").GetString().Should().Be(request.Headers["TicketToken-Event-Id"]).And.StartWith("evt_");
        var log = await DeliveriesAsync(admin, organizerId, endpoint);
        log.Should().ContainSingle();
        log[0].GetProperty("status").GetString().Should().Be("succeeded");
        log[0].GetProperty("attemptLog")[0].GetProperty("responseStatus").GetInt32().Should().Be(200);
        log[0].GetProperty("attemptLog")[0].GetProperty("requestHeaders").GetString().Should().Contain(request.Signature);
    }

    [Fact]
    public async Task A_check_in_at_the_gate_reaches_the_organizer_of_its_event()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Gate House");
        var endpoint = await CreateAsync(admin, organizerId, "gate", ["ticket.checked_in"]);
        var e = await fixture.AnnounceAsync(Sales.Event("Gate Night", organizerId));
        var checkIn = new TicketCheckedIn(Guid.NewGuid(), e.EventId, Guid.NewGuid(), Guid.NewGuid(), "North 1", "GA", DateTimeOffset.UtcNow, Offline: false);

        await fixture.PublishAsync(TicketCheckedIn.Topic, checkIn);

        await Eventually.TrueAsync(() => Task.FromResult(_receiver.To("gate").Count == 1), "the check-in arrived");
        var request = _receiver.To("gate").Single();
        WebhookReceiver.Verify(request.Signature, request.Body, endpoint.GetProperty("secret").GetString()!, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeTrue();
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("type").GetString().Should().Be("ticket.checked_in");
        body.RootElement.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        body.RootElement.GetProperty("data").GetProperty("ticketId").GetGuid().Should().Be(checkIn.TicketId);
        body.RootElement.GetProperty("data").GetProperty("gate").GetString().Should().Be("North 1");
    }

    [Fact]
    public async Task A_paid_payout_reaches_its_organizer_and_no_other()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Payday Hall");
        var (otherAdmin, otherId) = await fixture.Personas.OrganizerAdminAsync("Other Hall");
        await CreateAsync(admin, organizerId, "payday", ["payout.paid"]);
        await CreateAsync(otherAdmin, otherId, "payday-other", ["payout.paid"]);
        var payout = new PayoutPaid(Guid.NewGuid(), organizerId, 9_000, "eur", "tr_sim_123", DateTimeOffset.UtcNow);

        await fixture.PublishAsync(PayoutPaid.Topic, payout);

        await Eventually.TrueAsync(() => Task.FromResult(_receiver.To("payday").Count == 1), "the payout arrived");
        using var body = JsonDocument.Parse(_receiver.To("payday").Single().Body);
        body.RootElement.GetProperty("type").GetString().Should().Be("payout.paid");
        body.RootElement.GetProperty("data").GetProperty("amount").GetInt64().Should().Be(9_000);
        body.RootElement.GetProperty("data").GetProperty("transferId").GetString().Should().Be("tr_sim_123");
        _receiver.To("payday-other").Should().BeEmpty("another organizer's endpoint hears nothing of it");
    }

    [Fact]
    public async Task A_delivery_can_be_replayed_with_the_same_event_id()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Replay Room");
        var endpoint = await CreateAsync(admin, organizerId, "replay", ["event.cancelled"]);
        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(Guid.NewGuid(), organizerId, "flood", DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(() => Task.FromResult(_receiver.To("replay").Count == 1), "the first delivery arrived");
        var delivery = (await DeliveriesAsync(admin, organizerId, endpoint)).Single();

        await fixture.Client.SendOkAsync(admin, HttpMethod.Post,
            $"/api/notifications/organizers/{organizerId}/webhooks/{endpoint.GetProperty("id").GetGuid()}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay", null,
            HttpStatusCode.Accepted);

        await Eventually.TrueAsync(() => Task.FromResult(_receiver.To("replay").Count == 2), "the replay arrived");
        var (first, second) = (_receiver.To("replay")[0], _receiver.To("replay")[1]);
        second.Body.Should().Be(first.Body, "a replay is the same event");
        second.Headers["TicketToken-Event-Id"].Should().Be(first.Headers["TicketToken-Event-Id"]);
        await Eventually.AssertAsync(async () => (await DeliveriesAsync(admin, organizerId, endpoint)).Single().GetProperty("attempts").GetInt32().Should().Be(2));
    }

    [Fact]
    public async Task A_ping_answers_what_the_endpoint_replied_and_a_rotated_secret_signs_beside_the_old_one()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Ping Palace");
        var endpoint = await CreateAsync(admin, organizerId, "ping", ["order.refunded"]);
        var id = endpoint.GetProperty("id").GetGuid();
        var oldSecret = endpoint.GetProperty("secret").GetString()!;

        var ping = await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks/{id}/ping");
        ping.GetProperty("status").GetString().Should().Be("succeeded");
        ping.GetProperty("eventType").GetString().Should().Be("ping");
        var rotated = await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks/{id}/secret/rotate", new { keepPreviousHours = 2 });
        var newSecret = rotated.GetProperty("secret").GetString()!;
        _receiver.AnswerNext(500);
        var failed = await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks/{id}/ping");

        newSecret.Should().NotBe(oldSecret);
        failed.GetProperty("status").GetString().Should().Be("failed");
        failed.GetProperty("lastStatusCode").GetInt32().Should().Be(500);
        var (before, after) = (_receiver.To("ping")[0], _receiver.To("ping")[1]);
        WebhookReceiver.Verify(before.Signature, before.Body, oldSecret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeTrue();
        WebhookReceiver.Verify(before.Signature, before.Body, newSecret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeFalse();
        after.Signature.Split(',').Count(p => p.StartsWith("v1=", StringComparison.Ordinal)).Should().Be(2);
        WebhookReceiver.Verify(after.Signature, after.Body, newSecret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeTrue();
        WebhookReceiver.Verify(after.Signature, after.Body, oldSecret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)).Should().BeTrue("the old secret still signs for two hours");
        (await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/webhooks/{id}"))
            .TryGetProperty("secret", out var shown).Should().BeTrue();
        shown.ValueKind.Should().Be(JsonValueKind.Null, "the secret is shown only when it is made");
    }

    [Fact]
    public async Task Registration_refuses_unknown_event_types_bad_urls_and_other_organizers_with_problems()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Strict Stage");
        var (otherAdmin, _) = await fixture.Personas.OrganizerAdminAsync("Other Stage");
        var fan = await fixture.Personas.FanAsync();

        (object Body, Person Who, HttpStatusCode Status, string Code)[] attempts =
        [
            (new { url = _receiver.Url + "/hook/x", eventTypes = new[] { "order.stolen" } }, admin, HttpStatusCode.UnprocessableEntity, "unknown_event_types"),
            (new { url = "ftp://example.test/hook", eventTypes = new[] { "order.confirmed" } }, admin, HttpStatusCode.UnprocessableEntity, "invalid_webhook_url"),
            (new { url = "not a url", eventTypes = new[] { "order.confirmed" } }, admin, HttpStatusCode.UnprocessableEntity, "invalid_webhook_url"),
            (new { url = _receiver.Url + "/hook/x", eventTypes = Array.Empty<string>() }, admin, HttpStatusCode.BadRequest, "validation_failed"),
            (new { url = _receiver.Url + "/hook/x", eventTypes = new[] { "order.confirmed" } }, otherAdmin, HttpStatusCode.NotFound, "organizer_not_found"),
            (new { url = _receiver.Url + "/hook/x", eventTypes = new[] { "order.confirmed" } }, fan, HttpStatusCode.Forbidden, "forbidden"),
        ];

        foreach (var (body, who, status, code) in attempts)
        {
            using var response = await fixture.Client.SendAsync(who, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks", body);
            response.StatusCode.Should().Be(status, JsonSerializer.Serialize(body));
            (await Problem.ReadAsync(response)).Code.Should().Be(code);
        }

        (await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/webhooks")).GetArrayLength().Should().Be(0);
        (await fixture.Client.SendOkAsync(admin, HttpMethod.Get, "/api/notifications/webhook-event-types")).EnumerateArray().Select(t => t.GetString())
            .Should().Contain(["order.confirmed", "order.refunded", "ticket.issued", "ticket.transferred", "ticket.checked_in", "event.cancelled", "payout.paid"]);
    }

    private async Task<JsonElement> CreateAsync(Person admin, Guid organizerId, string name, string[] types) =>
        await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks",
            new { url = $"{_receiver.Url}/hook/{name}", eventTypes = types, description = name }, HttpStatusCode.Created);

    private async Task<List<JsonElement>> DeliveriesAsync(Person admin, Guid organizerId, JsonElement endpoint) =>
        [.. (await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/webhooks/{endpoint.GetProperty("id").GetGuid()}/deliveries"))
            .GetProperty("items").EnumerateArray()];
}
