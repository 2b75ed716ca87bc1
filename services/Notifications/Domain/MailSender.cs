using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Tickets;
using TicketToken.Notifications.Data;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// The sending loop: claims due messages (<c>FOR UPDATE SKIP LOCKED</c>, with a lease so a replica that dies mid-send loses
/// nothing), completes them (recipient, language, ticket documents), renders them, hands them to SMTP over one connection, and
/// records the outcome. A failure of SMTP or of the tickets module's documents is a retry with doubling backoff until the retry
/// window ends; then the message is failed, and stays in the log for support to see and send again.
/// </summary>
public sealed class MailSender(IServiceScopeFactory scopes, SmtpTransport smtp, MailTemplates templates, NotificationSignals signals, RuntimeReadiness readiness,
    [FromKeyedServices(NotificationsModule.Id)] TimeProvider time, IOptions<NotificationsOptions> options, IHostApplicationLifetime lifetime, ILogger<MailSender> logger)
    : QueueDrain(readiness, signals.Mail, logger)
{
    private MailOptions Options => options.Value.Mail;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Smtp.InboxUrl is { Length: > 0 } inbox)
        {
            // Once the host is up, next to its line with the Swagger UI, so a newcomer finds both.
            lifetime.ApplicationStarted.Register(() => Logger.LogInformation("Mail goes to SMTP {Server:l}; read it at {InboxUrl:l}", smtp.Server, inbox));
        }

        return base.StartAsync(cancellationToken);
    }

    protected override string Work => "Sending mail";

    protected override TimeSpan PollInterval => Options.PollInterval;

    protected override Task<int> DrainOnceAsync(CancellationToken cancellationToken) => SendDueAsync(cancellationToken);


    /// <summary>Sends one batch of due messages; returns how many it took.</summary>
    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var protector = scope.ServiceProvider.GetRequiredKeyedService<SecretProtector>(NotificationsModule.Id);
        var actors = scope.ServiceProvider.GetRequiredService<IActorProxyFactory>();
        var now = time.GetUtcNow();
        var ids = await db.Database.SqlQuery<Guid>($"""
            update notifications.messages set locked_until = {now + Options.SendLease}
            where id in (select id from notifications.messages
                         where status = 'queued' and next_attempt_at <= {now} and (locked_until is null or locked_until <= {now})
                         order by next_attempt_at limit {BatchSize} for update skip locked)
            returning id as "Value"
            """).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }

        var messages = await db.Messages.Where(m => ids.Contains(m.Id)).ToListAsync(cancellationToken);
        var ready = new List<(Message Message, MimeMessage Mime)>();
        foreach (var message in messages)
        {
            try
            {
                var prepared = await PrepareAsync(db, protector, actors, message, cancellationToken);
                if (prepared is null)
                {
                    message.Status = MessageStatuses.Suppressed;
                    message.Model = null;
                    message.LockedUntil = null;
                }
                else
                {
                    ready.Add((message, prepared));
                }
            }
            catch (NotReadyException e)
            {
                Retry(message, e.Message, now);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Logger.LogError(e, "Message {MessageId} ({Template}) could not be prepared", message.Id, message.Template);
                Retry(message, $"It could not be prepared: {e.Message}", now);
            }
        }

        if (ready.Count > 0)
        {
            IReadOnlyList<string?> outcomes;
            try
            {
                outcomes = await smtp.SendAsync([.. ready.Select(r => r.Mime)], cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var error = $"SMTP server {smtp.Server} unavailable: {SmtpTransport.Describe(e)}";
                Logger.LogWarning("{Count} message(s) wait: {Error}", ready.Count, error);
                outcomes = [.. ready.Select(_ => error)];
            }

            var sentAt = time.GetUtcNow();
            for (var i = 0; i < ready.Count; i++)
            {
                var message = ready[i].Message;
                if (outcomes[i] is { } error)
                {
                    Retry(message, error, sentAt);
                    continue;
                }

                message.Status = MessageStatuses.Sent;
                message.SentAt = sentAt;
                message.Attempts++;
                message.LastError = null;
                message.LockedUntil = null;
                message.Model = null; // what it said (codes included) is not kept once it went out
                if (message.EraseAfterSend)
                {
                    message.RecipientEmail = null;
                }
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return ids.Count;
    }

    private void Retry(Message message, string error, DateTimeOffset now)
    {
        message.Attempts++;
        message.LastError = error.Length > 1000 ? error[..1000] : error;
        message.LockedUntil = null;
        var backoff = Backoff(Options.RetryInitialBackoff, Options.RetryMaxBackoff, message.Attempts);
        if (now + backoff - message.CreatedAt > Options.RetryWindow)
        {
            message.Status = MessageStatuses.Failed;
            message.Model = null;
            Logger.LogWarning("Message {MessageId} ({Template}) failed after {Attempts} attempts: {Error}", message.Id, message.Template, message.Attempts, error);
            return;
        }

        message.NextAttemptAt = now + backoff;
    }

    /// <summary>The wait before the next attempt: the initial backoff, doubled per earlier failure, at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(TimeSpan initial, TimeSpan max, int failures)
    {
        var factor = Math.Pow(2, Math.Min(Math.Max(failures - 1, 0), 30));
        return TimeSpan.FromTicks((long)Math.Min(initial.Ticks * factor, max.Ticks));
    }

    /// <summary>The message as it goes out; null when it must not be sent (erased person, marketing without consent).</summary>
    private async Task<MimeMessage?> PrepareAsync(NotificationsDbContext db, SecretProtector protector, IActorProxyFactory actors, Message message,
        CancellationToken cancellationToken)
    {
        var recipient = message.RecipientUserId is { } userId ? await db.Recipients.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == userId, cancellationToken) : null;
        if (recipient?.Status == RecipientStatuses.Erased && !message.EraseAfterSend)
        {
            return null;
        }

        if (message.Category == MessageCategories.Marketing && recipient is not { Marketing: true, Status: RecipientStatuses.Active })
        {
            return null;
        }

        var address = message.RecipientEmail ?? recipient?.Email
            ?? throw new NotReadyException("The recipient's address is not known yet (identity's event has not arrived).");
        var model = JsonNode.Parse(Encoding.UTF8.GetString(protector.Unprotect(message.Model!)))!.AsObject();
        var language = recipient?.Language ?? MailTemplates.DefaultLanguage;
        model["recipient"] = new JsonObject { ["name"] = recipient?.DisplayName ?? (language == "de" ? "und willkommen" : "there") };
        model["app"] = new JsonObject { ["name"] = Options.FromName, ["url"] = Options.PublicBaseUrl.TrimEnd('/') };
        TicketDocuments? documents = null;
        if (model["ticketsOf"] is JsonObject ticketsOf)
        {
            documents = await AddTicketsAsync(db, actors, model, ticketsOf, language, cancellationToken);
        }

        Relocalise(model, language);
        var rendered = await templates.RenderAsync(message.Template, language, model);
        message.Subject = rendered.Subject;
        message.Language = rendered.Language;
        message.RecipientEmail ??= address;

        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(Options.FromName, Options.FromAddress));
        mime.To.Add(new MailboxAddress(recipient?.DisplayName, address));
        mime.Subject = rendered.Subject;
        // The same id on every attempt, so a receiving server can tell a repeated delivery after a lost answer.
        mime.MessageId = $"{message.Id:N}@{MailboxAddress.Parse(Options.FromAddress).Domain}";
        mime.Headers.Add("X-TicketToken-Template", message.Template);
        var body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html };
        if (documents is { Pdf.Length: > 0 })
        {
            body.Attachments.Add(documents.PdfFileName, documents.Pdf, new ContentType("application", "pdf"));
        }

        mime.Body = body.ToMessageBody();
        return mime;
    }

    /// <summary>
    /// Lists the tickets in the model and fetches their documents (one PDF, wallet links) from the tickets module. Until the tickets
    /// are known here, or while the documents cannot be had, the message waits: it is not sent without its tickets.
    /// </summary>
    private static async Task<TicketDocuments?> AddTicketsAsync(NotificationsDbContext db, IActorProxyFactory actors, JsonObject model, JsonObject ticketsOf,
        string language, CancellationToken cancellationToken)
    {
        var owner = ticketsOf["ownerId"]!.GetValue<Guid>();
        var query = db.Tickets.AsNoTracking();
        if (ticketsOf["orderId"] is { } orderNode)
        {
            var orderId = orderNode.GetValue<Guid>();
            query = query.Where(t => t.OrderId == orderId && t.OwnerId == owner);
        }
        else
        {
            var ticketIds = ticketsOf["ticketIds"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToList();
            query = query.Where(t => ticketIds.Contains(t.Id));
        }

        var tickets = await query.OrderBy(t => t.Label).ToListAsync(cancellationToken);
        var expected = ticketsOf["count"]?.GetValue<int>() ?? 1;
        if (tickets.Count < expected)
        {
            throw new NotReadyException($"{expected - tickets.Count} of the tickets are not known here yet (tickets.issued has not arrived).");
        }

        TicketDocuments? documents;
        try
        {
            documents = await actors.CreateActorProxy<ITicketDocumentsActor>(TicketsActors.DocumentsId(owner), TicketsActors.Documents)
                .GetAsync(new TicketDocumentsRequest([.. tickets.Select(t => t.Id)]));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NotReadyException($"The tickets module could not make the ticket documents: {SmtpTransport.Describe(e)}");
        }

        var links = documents?.Tickets.ToDictionary(t => t.TicketId) ?? [];
        model["tickets"] = new JsonArray([.. tickets.Select(t => (JsonNode)new JsonObject
        {
            ["label"] = links.GetValueOrDefault(t.Id)?.Label ?? t.Label ?? (language == "de" ? "Ticket" : "Ticket"),
            ["appleWalletUrl"] = links.GetValueOrDefault(t.Id)?.AppleWalletUrl,
            ["googleWalletUrl"] = links.GetValueOrDefault(t.Id)?.GoogleWalletUrl,
        })]);
        model["hasPdf"] = documents is { Pdf.Length: > 0 };
        model["pdfFileName"] = documents?.PdfFileName;
        return documents;
    }

    /// <summary>Amounts and times the handler left as raw values are formatted in the recipient's language.</summary>
    private static void Relocalise(JsonObject model, string language)
    {
        foreach (var (key, value) in model.ToList())
        {
            if (value is JsonObject { } inner && inner["$money"] is { } minor)
            {
                model[key] = Formats.Money(minor.GetValue<long>(), inner["currency"]!.GetValue<string>(), language);
            }
            else if (value is JsonObject { } time && time["$time"] is { } at)
            {
                model[key] = Formats.When(at.GetValue<DateTimeOffset>(), time["timeZone"]?.GetValue<string>(), language);
            }
            else if (value is JsonObject nested)
            {
                Relocalise(nested, language);
            }
        }
    }

    private sealed class NotReadyException(string message) : Exception(message);
}
