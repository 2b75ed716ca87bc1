using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Notifications.Data;

namespace TicketToken.Notifications.Domain;

/// <summary>Wake-up calls for the sending loops, rung when a transaction that queued work has committed.</summary>
public sealed class NotificationSignals : IDisposable
{
    public AsyncSignal Mail { get; } = new();

    public AsyncSignal Webhooks { get; } = new();

    public void Dispose()
    {
        Mail.Dispose();
        Webhooks.Dispose();
    }
}

/// <summary>
/// An e-mail to queue. The recipient is a person by account id (their address, name and language are looked up when it is sent,
/// so a message queued before identity's event arrived still finds them) or a bare address (someone invited, a gift's recipient).
/// </summary>
public sealed record OutgoingMail(string Template, Guid? RecipientUserId, string? RecipientEmail, Guid? OrganizerId, JsonObject Model,
    string Category = MessageCategories.Transactional, bool EraseAfterSend = false);

/// <summary>
/// What a subscription does with an event: in one transaction with the inbox record, queue e-mail and webhook deliveries and
/// update the projections; the sending loops are woken after the commit. An event is thus handled once, whatever redelivers it.
/// </summary>
public sealed class Notifier(NotificationsDbContext db, [FromKeyedServices(NotificationsModule.Id)] SecretProtector protector,
    [FromKeyedServices(NotificationsModule.Id)] TimeProvider time,
    NotificationSignals signals)
{
    private bool _mail;
    private bool _webhooks;

    public NotificationsDbContext Db => db;

    public DateTimeOffset Now { get; } = time.GetUtcNow();

    /// <summary>Runs <paramref name="work"/> once per event id for <paramref name="consumer"/>, then wakes the senders.</summary>
    public async Task<TopicResult> OnceAsync(string consumer, CloudEvent envelope, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await db.ProcessOnceAsync(consumer, envelope.Id, work, cancellationToken);
        if (_mail)
        {
            signals.Mail.Notify();
        }

        if (_webhooks)
        {
            signals.Webhooks.Notify();
        }

        return TopicResult.Success;
    }

    /// <summary>Queues <paramref name="mail"/> for the event <paramref name="sourceEventId"/>; the same template to the same person for the same event is queued once.</summary>
    public async Task MailAsync(string sourceEventId, OutgoingMail mail, CancellationToken cancellationToken)
    {
        var recipientKey = mail.RecipientUserId?.ToString("N") ?? mail.RecipientEmail?.Trim().ToLowerInvariant()
            ?? throw new ArgumentException("A message needs a person or an address.", nameof(mail));
        var dedupe = $"{sourceEventId}:{mail.Template}:{recipientKey}";
        if (db.Messages.Local.Any(m => m.DedupeKey == dedupe) || await db.Messages.AnyAsync(m => m.DedupeKey == dedupe, cancellationToken))
        {
            return;
        }

        db.Messages.Add(new Message
        {
            Id = Guid.CreateVersion7(Now),
            DedupeKey = dedupe,
            SourceEventId = sourceEventId,
            Template = mail.Template,
            Category = mail.Category,
            RecipientUserId = mail.RecipientUserId,
            RecipientEmail = mail.RecipientEmail?.Trim().ToLowerInvariant(),
            OrganizerId = mail.OrganizerId,
            Model = protector.Protect(Encoding.UTF8.GetBytes(mail.Model.ToJsonString())),
            Status = MessageStatuses.Queued,
            EraseAfterSend = mail.EraseAfterSend,
            NextAttemptAt = Now,
            CreatedAt = Now,
        });
        _mail = true;
    }

    /// <summary>Queues one delivery of <paramref name="type"/> to every enabled endpoint of the organizer that subscribed to it.</summary>
    public async Task WebhookAsync(string sourceEventId, Guid organizerId, string type, object data, CancellationToken cancellationToken)
    {
        var endpoints = await db.WebhookEndpoints.Where(e => e.OrganizerId == organizerId && e.Enabled && e.EventTypes.Contains(type)).ToListAsync(cancellationToken);
        if (endpoints.Count == 0)
        {
            return;
        }

        var eventId = WebhookEventId(sourceEventId);
        var payload = WebhookPayload(eventId, type, organizerId, Now, data);
        foreach (var endpoint in endpoints)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(Now),
                EndpointId = endpoint.Id,
                EventId = eventId,
                EventType = type,
                Payload = payload,
                Status = DeliveryStatuses.Pending,
                NextAttemptAt = Now,
                CreatedAt = Now,
            });
        }

        _webhooks = true;
    }

    /// <summary>The recipients who administer <paramref name="organizerId"/>, for mail about the organizer's affairs.</summary>
    public Task<List<Guid>> AdminsOfAsync(Guid organizerId, CancellationToken cancellationToken) =>
        db.Memberships.Where(m => m.OrganizerId == organizerId && m.Role == "organizer_admin").Select(m => m.UserId).ToListAsync(cancellationToken);

    /// <summary>A stable id receivers see for the event: the same for every endpoint, attempt and replay.</summary>
    public static string WebhookEventId(string sourceEventId) =>
        "evt_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sourceEventId)))[..24];

    public static string WebhookPayload(string eventId, string type, Guid organizerId, DateTimeOffset created, object data) =>
        JsonSerializer.Serialize(new { id = eventId, type, created = created.ToUnixTimeSeconds(), organizerId, data }, JsonSerializerOptions.Web);
}

/// <summary>What every template can use besides its own fields.</summary>
public static class TemplateModel
{
    public static JsonObject Of(object fields) => JsonSerializer.SerializeToNode(fields, JsonSerializerOptions.Web)!.AsObject();
}
