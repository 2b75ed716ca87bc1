using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// Retries and the retry window on the notifications module's own fake clock (here: backoff 10 minutes doubling to 20, a window of
/// one hour): each retry becomes due only when the test moves the clock, so nothing depends on how fast this machine is.
/// </summary>
public sealed class WebhookRetryTests(WebhookClockFixture fixture) : IClassFixture<WebhookClockFixture>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_delivery_is_retried_with_doubling_backoff_after_a_500_and_a_timeout_until_it_succeeds()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Flaky Receiver Ltd");
        var endpoint = await CreateAsync(admin, organizerId, "flaky");
        _receiver.AnswerNext(500, null, 200); // a server error, then no answer at all, then success
        var start = fixture.Clock.GetUtcNow();

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(Guid.NewGuid(), organizerId, "retry me", DateTimeOffset.UtcNow));

        var delivery = await AttemptsAsync(admin, organizerId, endpoint, 1);
        delivery.GetProperty("status").GetString().Should().Be("pending");
        delivery.GetProperty("nextAttemptAt").GetDateTimeOffset().Should().Be(start + TimeSpan.FromMinutes(10));
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        delivery = await AttemptsAsync(admin, organizerId, endpoint, 2);
        delivery.GetProperty("nextAttemptAt").GetDateTimeOffset().Should().Be(start + TimeSpan.FromMinutes(30), "the wait doubled");
        fixture.Clock.Advance(TimeSpan.FromMinutes(20));
        delivery = await AttemptsAsync(admin, organizerId, endpoint, 3);

        delivery.GetProperty("status").GetString().Should().Be("succeeded");
        var log = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
        log.Select(a => a.GetProperty("responseStatus").ValueKind == JsonValueKind.Null ? (int?)null : a.GetProperty("responseStatus").GetInt32())
            .Should().Equal(500, null, 200);
        log[1].GetProperty("error").GetString().Should().StartWith("No answer within 1 s");
        log.Select(a => a.GetProperty("attemptedAt").GetDateTimeOffset() - start).Should().Equal(TimeSpan.Zero, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));
        _receiver.To("flaky").Select(r => r.Headers["TicketToken-Event-Id"]).Distinct().Should().ContainSingle("every attempt carries the same event id");
    }

    [MailFact]
    public async Task An_endpoint_failing_past_the_retry_window_is_disabled_and_its_admins_are_told_and_it_can_be_enabled_and_replayed()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Broken Receiver Ltd");
        var endpoint = await CreateAsync(admin, organizerId, "broken");
        var id = endpoint.GetProperty("id").GetGuid();
        _receiver.AnswerNext(503, 503, 503, 503);

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(Guid.NewGuid(), organizerId, "never arrives", DateTimeOffset.UtcNow));
        await AttemptsAsync(admin, organizerId, endpoint, 1);
        foreach (var (step, attempts) in new[] { (10, 2), (20, 3), (20, 4) })
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(step));
            await AttemptsAsync(admin, organizerId, endpoint, attempts);
        }

        var delivery = (await DeliveriesAsync(admin, organizerId, id)).Single();
        delivery.GetProperty("status").GetString().Should().Be("failed", "the next wait (20 minutes, at 70) would end past the one-hour window");
        var disabled = await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/webhooks/{id}");
        disabled.GetProperty("enabled").GetBoolean().Should().BeFalse();
        disabled.GetProperty("disabledReason").GetString().Should().Contain("The receiver answered 503");
        var mail = await fixture.MailAsync(admin.Email, m => m.Subject == $"Webhook endpoint disabled: {_receiver.Url}/hook/broken");
        mail.Text().Should().Contain("enable the endpoint and replay what it missed");
        var replayPath = $"/api/notifications/organizers/{organizerId}/webhooks/{id}/deliveries/{delivery.GetProperty("id").GetGuid()}/replay";
        using var refused = await fixture.Client.SendAsync(admin, HttpMethod.Post, replayPath);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Problem.ReadAsync(refused)).Code.Should().Be("webhook_endpoint_disabled");

        await fixture.Client.SendOkAsync(admin, HttpMethod.Patch, $"/api/notifications/organizers/{organizerId}/webhooks/{id}", new { enabled = true });
        await fixture.Client.SendOkAsync(admin, HttpMethod.Post, replayPath, null, HttpStatusCode.Accepted);

        delivery = await AttemptsAsync(admin, organizerId, endpoint, 5);
        delivery.GetProperty("status").GetString().Should().Be("succeeded");
    }

    private async Task<JsonElement> CreateAsync(Person admin, Guid organizerId, string name) =>
        await fixture.Client.SendOkAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks",
            new { url = $"{_receiver.Url}/hook/{name}", eventTypes = new[] { "event.cancelled" } }, HttpStatusCode.Created);

    /// <summary>Waits until the endpoint's single delivery has <paramref name="count"/> attempts and is no longer being attempted.</summary>
    private async Task<JsonElement> AttemptsAsync(Person admin, Guid organizerId, JsonElement endpoint, int count)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            var deliveries = await DeliveriesAsync(admin, organizerId, endpoint.GetProperty("id").GetGuid());
            found = deliveries.SingleOrDefault();
            return deliveries.Count == 1 && found.GetProperty("attempts").GetInt32() >= count;
        }, $"attempt {count} was made");
        found.GetProperty("attempts").GetInt32().Should().Be(count, "no attempt is made before the clock says it is due");
        return found;
    }

    private async Task<List<JsonElement>> DeliveriesAsync(Person admin, Guid organizerId, Guid endpointId) =>
        [.. (await fixture.Client.SendOkAsync(admin, HttpMethod.Get, $"/api/notifications/organizers/{organizerId}/webhooks/{endpointId}/deliveries"))
            .GetProperty("items").EnumerateArray()];
}
