using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Notifications.Data;
using TicketToken.Notifications.Domain;

namespace TicketToken.Notifications.Apis;

/// <summary>
/// The record of e-mail: a fan's own messages and preferences; "did it go out?" for an organizer's support (messages about its
/// orders and events) and for platform admins (any message, by address). Bodies are never shown: they may have carried codes.
/// </summary>
public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/notifications/me").WithTags("Notifications").RequireAuthorization(Policies.Fan);
        me.MapGet("/messages", ListMyMessages).WithName("ListMyMessages")
            .WithSummary("Lists the e-mail sent (or being sent) to you, newest first, with its delivery status (cursor pagination).")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        me.MapGet("/preferences", GetMyPreferences).WithName("GetMyNotificationPreferences").WithSummary("Reads your language and marketing choice.");
        me.MapPut("/preferences", SetMyPreferences).WithName("SetMyNotificationPreferences")
            .WithSummary("Sets the language of your e-mail (en, de) and whether you receive marketing; receipts, resets, gifts and event changes always go.")
            .WithJsonRequestExamples(new RequestExample("opt-out", "German mail, no marketing", """{ "language": "de", "marketing": false }"""))
            .Problems(NotificationsProblems.MessageNotFailed, NotificationsProblems.MessageNotFound, NotificationsProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);

        app.MapGet("/api/notifications/organizers/{organizerId:guid}/messages", ListOrganizerMessages).WithTags("Notifications")
            .RequireAuthorization(Policies.BoxOffice).WithName("ListOrganizerMessages")
            .WithSummary("Support: the e-mail about the organizer's orders and events, newest first, filtered by address, template or status.")
            .Problems(NotificationsProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        var admin = app.MapGroup("/api/notifications/messages").WithTags("Notifications").RequireAuthorization(Policies.PlatformAdmin);
        admin.MapGet("/", ListAllMessages).WithName("ListMessages").WithSummary("Support: every e-mail, newest first, filtered by address, template or status.")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        admin.MapPost("/{messageId:guid}/resend", Resend).WithName("ResendMessage")
            .WithSummary("Queues a failed message again (it is rendered anew; a message whose content was already dropped cannot be).")
            .Problems(NotificationsProblems.MessageNotFailed, NotificationsProblems.MessageNotFound);
        return app;
    }

    /// <summary>
    /// One message. <see cref="Status"/> is <c>queued</c>, <c>sent</c>, <c>failed</c> or <c>suppressed</c> (not sent on purpose: marketing
    /// without consent, or an erased person); <see cref="Subject"/> is known once it was rendered.
    /// </summary>
    public sealed record MessageResponse(Guid Id, string Template, string Category, string? RecipientEmail, string? Subject, string? Language, string Status,
        int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt);

    public sealed record PreferencesResponse(string Language, bool Marketing);

    public sealed record PreferencesRequest(
        [property: Required, AllowedValues("en", "de")] string Language,
        [property: Required] bool? Marketing);

    public sealed class MessageFilter
    {
        [FromQuery(Name = "email"), StringLength(254)]
        public string? Email { get; init; }

        [FromQuery(Name = "template"), StringLength(64)]
        public string? Template { get; init; }

        [FromQuery(Name = "status"), AllowedValues(null, MessageStatuses.Queued, MessageStatuses.Sent, MessageStatuses.Failed, MessageStatuses.Suppressed)]
        public string? Status { get; init; }

        [FromQuery(Name = "cursor")]
        public string? Cursor { get; init; }

        [FromQuery(Name = "limit")]
        public int? Limit { get; init; }
    }

    private static async Task<Ok<Page<MessageResponse>>> ListMyMessages([AsParameters] MessageFilter filter, Caller caller, NotificationsDbContext db,
        CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        return TypedResults.Ok(await PageAsync(db.Messages.Where(m => m.RecipientUserId == me), filter, cancellationToken));
    }

    private static async Task<Ok<PreferencesResponse>> GetMyPreferences(Caller caller, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        var recipient = await db.Recipients.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == me, cancellationToken);
        return TypedResults.Ok(new PreferencesResponse(recipient?.Language ?? MailTemplates.DefaultLanguage, recipient?.Marketing ?? false));
    }

    private static async Task<Ok<PreferencesResponse>> SetMyPreferences(PreferencesRequest request, Caller caller, NotificationsDbContext db,
        CancellationToken cancellationToken)
    {
        var me = caller.RequiredUserId;
        var recipient = await db.Recipients.SingleOrDefaultAsync(r => r.UserId == me, cancellationToken);
        if (recipient is null)
        {
            // identity's event has not arrived yet; the choice is kept, the address follows with it
            recipient = new Recipient { UserId = me, ChangedAt = DateTimeOffset.MinValue };
            db.Recipients.Add(recipient);
        }

        recipient.Language = request.Language;
        recipient.Marketing = request.Marketing!.Value;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new PreferencesResponse(recipient.Language, recipient.Marketing));
    }

    private static async Task<Ok<Page<MessageResponse>>> ListOrganizerMessages(Guid organizerId, [AsParameters] MessageFilter filter, Caller caller,
        NotificationsDbContext db, CancellationToken cancellationToken)
    {
        if (!caller.WorksFor(organizerId))
        {
            throw NotificationsProblems.OrganizerNotFound();
        }

        return TypedResults.Ok(await PageAsync(db.Messages.Where(m => m.OrganizerId == organizerId), filter, cancellationToken));
    }

    private static async Task<Ok<Page<MessageResponse>>> ListAllMessages([AsParameters] MessageFilter filter, NotificationsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await PageAsync(db.Messages, filter, cancellationToken));

    private static async Task<Ok<MessageResponse>> Resend(Guid messageId, NotificationsDbContext db, NotificationSignals signals,
        [FromKeyedServices(NotificationsModule.Id)] TimeProvider time, CancellationToken cancellationToken)
    {
        var message = await db.Messages.SingleOrDefaultAsync(m => m.Id == messageId, cancellationToken) ?? throw NotificationsProblems.MessageNotFound();
        if (message.Status != MessageStatuses.Failed || message.Model is null)
        {
            throw NotificationsProblems.MessageNotFailed();
        }

        var now = time.GetUtcNow();
        message.Status = MessageStatuses.Queued;
        message.NextAttemptAt = now;
        message.CreatedAt = now; // a fresh retry window
        await db.SaveChangesAsync(cancellationToken);
        signals.Mail.Notify();
        return TypedResults.Ok(ToResponse(message));
    }

    private static async Task<Page<MessageResponse>> PageAsync(IQueryable<Message> query, MessageFilter filter, CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(filter.Limit);
        query = query.AsNoTracking();
        if (filter.Email is { Length: > 0 } email)
        {
            var normalised = email.Trim().ToLowerInvariant();
            query = query.Where(m => m.RecipientEmail == normalised);
        }

        if (filter.Template is { Length: > 0 } template)
        {
            query = query.Where(m => m.Template == template);
        }

        if (filter.Status is { Length: > 0 } status)
        {
            query = query.Where(m => m.Status == status);
        }

        if (PageCursor.Decode(filter.Cursor) is var (at, after))
        {
            query = query.Where(m => m.CreatedAt < at || (m.CreatedAt == at && m.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take + 1).ToListAsync(cancellationToken);
        return PageCursor.Build(rows, take, m => (m.CreatedAt, m.Id), ToResponse);
    }

    private static MessageResponse ToResponse(Message m) => new(m.Id, m.Template, m.Category, m.RecipientEmail, m.Subject, m.Language, m.Status, m.Attempts,
        m.LastError, m.CreatedAt, m.SentAt, m.Status == MessageStatuses.Queued ? m.NextAttemptAt : null);
}
