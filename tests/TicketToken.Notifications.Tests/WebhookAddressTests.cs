using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Notifications.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// Server-side request forgery (OWASP API7) with the operator's default: webhooks go to public addresses only, checked when an
/// endpoint is registered and again on every connection. No request here leaves this machine: refused addresses are never contacted.
/// </summary>
public sealed class WebhookAddressTests(PublicOnlyWebhooksFixture fixture) : IClassFixture<PublicOnlyWebhooksFixture>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://172.20.0.5/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://[fd00::5]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    public async Task An_endpoint_on_a_loopback_link_local_or_private_address_is_refused(string url)
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync("Curious Corp");

        using var response = await fixture.Client.SendAsync(admin, HttpMethod.Post, $"/api/notifications/organizers/{organizerId}/webhooks",
            new { url, eventTypes = new[] { "order.confirmed" } });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await Problem.ReadAsync(response);
        problem.Code.Should().Be("webhook_url_not_allowed");
        problem.Detail.Should().Contain("not a public address");
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.53", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void Public_addresses_are_told_apart_from_the_rest(string address, bool isPublic) =>
        WebhookAddresses.IsPublic(IPAddress.Parse(address)).Should().Be(isPublic);

    [Fact]
    public async Task An_endpoint_that_resolves_to_a_private_address_at_delivery_time_is_not_contacted()
    {
        // As if the endpoint's name resolved to a public address when it was registered and to this machine now (DNS rebinding):
        // the row is written directly, since registration would refuse it.
        await using var receiver = await WebhookReceiver.StartAsync();
        var (_, organizerId) = await fixture.Personas.OrganizerAdminAsync("Rebinding Inc");
        var protector = fixture.Host.Services.GetRequiredKeyedService<SecretProtector>(NotificationsModule.Id);
        var endpointId = Guid.NewGuid();
        await fixture.Database.ExecuteAsync("""
            insert into notifications.webhook_endpoints (id, organizer_id, url, event_types, secret, created_by, created_at, updated_at)
            values ($1, $2, $3, array['event.cancelled'], $4, $5, now(), now())
            """, endpointId, organizerId, receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/hook/rebound",
            protector.Protect(Encoding.UTF8.GetBytes(WebhookSignature.NewSecret())), Guid.NewGuid());

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(Guid.NewGuid(), organizerId, "rebinding", DateTimeOffset.UtcNow));

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
            "select count(*) from notifications.webhook_attempts a join notifications.webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1", endpointId) >= 1,
            "the delivery was attempted");
        (await fixture.Database.ScalarAsync<string>("select last_error from notifications.webhook_deliveries where endpoint_id = $1", endpointId))
            .Should().Contain("not a public address");
        (await fixture.Database.ScalarAsync<string>("select status from notifications.webhook_deliveries where endpoint_id = $1", endpointId)).Should().Be("pending");
        receiver.Requests.Should().BeEmpty("the connection was never opened");
    }
}
