using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Notifications.Data;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// The webhook loop: claims due deliveries of enabled endpoints (<c>FOR UPDATE SKIP LOCKED</c> with a lease), attempts them in
/// parallel, logs every attempt, and retries a failure with doubling backoff until the retry window (3 days) after the first
/// attempt is spent; then the delivery fails, the endpoint is disabled and the organizer's admins are told by e-mail.
/// </summary>
public sealed class WebhookDispatcher(IServiceScopeFactory scopes, WebhookSender sender, NotificationSignals signals, RuntimeReadiness readiness,
    [FromKeyedServices(NotificationsModule.Id)] TimeProvider time, IOptions<NotificationsOptions> options, ILogger<WebhookDispatcher> logger)
    : QueueDrain(readiness, signals.Webhooks, logger)
{
    private WebhookOptions Options => options.Value.Webhooks;

    protected override string Work => "Delivering webhooks";

    protected override TimeSpan PollInterval => Options.PollInterval;

    protected override Task<int> DrainOnceAsync(CancellationToken cancellationToken) => DeliverDueAsync(cancellationToken);


    internal async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var protector = scope.ServiceProvider.GetRequiredKeyedService<SecretProtector>(NotificationsModule.Id);
        var now = time.GetUtcNow();
        var ids = await db.Database.SqlQuery<Guid>($"""
            update notifications.webhook_deliveries set locked_until = {now + Options.SendLease}
            where id in (select d.id from notifications.webhook_deliveries d join notifications.webhook_endpoints e on e.id = d.endpoint_id
                         where d.status = 'pending' and e.enabled and d.next_attempt_at <= {now} and (d.locked_until is null or d.locked_until <= {now})
                         order by d.next_attempt_at limit {BatchSize} for update of d skip locked)
            returning id as "Value"
            """).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var deliveries = await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ToListAsync(cancellationToken);
        var endpointIds = deliveries.Select(d => d.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.Where(e => endpointIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        var attempts = await Task.WhenAll(deliveries.Select(d => sender.AttemptAsync(endpoints[d.EndpointId], d, protector, now, cancellationToken)));
        var disabled = new List<(WebhookEndpoint Endpoint, string Reason)>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var (delivery, attempt) = (deliveries[i], attempts[i]);
            db.WebhookAttempts.Add(attempt);
            Record(delivery, attempt, now);
            if (delivery.Status == DeliveryStatuses.Failed && endpoints[delivery.EndpointId] is { Enabled: true } endpoint)
            {
                var reason = $"deliveries failed for {Options.RetryWindow.TotalHours:0.#} hours (the last: {attempt.Error})";
                endpoint.Enabled = false;
                endpoint.DisabledAt = now;
                endpoint.DisabledReason = reason;
                endpoint.UpdatedAt = now;
                disabled.Add((endpoint, reason));
            }
        }

        var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
        foreach (var (endpoint, reason) in disabled)
        {
            Logger.LogWarning("Webhook endpoint {EndpointId} of organizer {OrganizerId} disabled: {Reason}", endpoint.Id, endpoint.OrganizerId, reason);
            // What was still waiting for the endpoint stops too; the organizer replays it once the receiver works.
            foreach (var waiting in await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id && d.Status == DeliveryStatuses.Pending && !ids.Contains(d.Id))
                         .ToListAsync(cancellationToken))
            {
                waiting.Status = DeliveryStatuses.Failed;
                waiting.LastError = "The endpoint was disabled.";
                waiting.CompletedAt = now;
            }

            foreach (var admin in await notifier.AdminsOfAsync(endpoint.OrganizerId, cancellationToken))
            {
                await notifier.MailAsync($"webhook-disabled:{endpoint.Id}:{now.ToUnixTimeMilliseconds()}", new OutgoingMail("webhook-disabled", admin, null, endpoint.OrganizerId,
                    TemplateModel.Of(new { url = endpoint.Url, reason, endpointUrl = $"/api/notifications/organizers/{endpoint.OrganizerId}/webhooks/{endpoint.Id}" })),
                    cancellationToken);
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        if (disabled.Count > 0)
        {
            signals.Mail.Notify();
        }

        return ids.Count;
    }

    private void Record(WebhookDelivery delivery, Data.WebhookAttempt attempt, DateTimeOffset now)
    {
        delivery.Attempts++;
        delivery.FirstAttemptAt ??= now;
        delivery.LastStatusCode = attempt.ResponseStatus;
        delivery.LastError = attempt.Error;
        delivery.LockedUntil = null;
        if (attempt.Error is null)
        {
            delivery.Status = DeliveryStatuses.Succeeded;
            delivery.CompletedAt = now;
            return;
        }

        var next = now + MailSender.Backoff(Options.RetryInitialBackoff, Options.RetryMaxBackoff, delivery.Attempts);
        if (next - delivery.FirstAttemptAt > Options.RetryWindow)
        {
            delivery.Status = DeliveryStatuses.Failed;
            delivery.CompletedAt = now;
            return;
        }

        delivery.NextAttemptAt = next;
    }
}
