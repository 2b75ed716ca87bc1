using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Identity;
using TicketToken.Notifications.Data;
using TicketToken.Notifications.Domain;

namespace TicketToken.Notifications.Subscriptions;

/// <summary>
/// Identity owns people's addresses; notifications keeps its own copy of what it needs to reach them (address, name; language and
/// marketing consent are chosen here), fed by identity's events, newest first, and erased with the person.
/// </summary>
internal static class Recipients
{
    public static async Task<Recipient> UpsertAsync(NotificationsDbContext db, Guid userId, string? email, string? displayName, DateTimeOffset changedAt,
        CancellationToken cancellationToken, bool keepName = false)
    {
        var recipient = await db.Recipients.SingleOrDefaultAsync(r => r.UserId == userId, cancellationToken);
        if (recipient is null)
        {
            recipient = new Recipient { UserId = userId, ChangedAt = changedAt, Email = email, DisplayName = displayName };
            db.Recipients.Add(recipient);
            return recipient;
        }

        if (recipient.Status != RecipientStatuses.Erased && changedAt >= recipient.ChangedAt)
        {
            recipient.Email = email ?? recipient.Email;
            recipient.DisplayName = keepName ? recipient.DisplayName ?? displayName : displayName;
            recipient.ChangedAt = changedAt;
        }

        return recipient;
    }
}

public sealed class WelcomeNewUser(Notifier notifier) : ITopicHandler<UserRegistered>
{
    public Task<TopicResult> HandleAsync(UserRegistered data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(UserRegistered.Topic, envelope, async ct =>
        {
            await Recipients.UpsertAsync(notifier.Db, data.UserId, data.Email, data.DisplayName, data.RegisteredAt, ct, keepName: true);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("welcome", data.UserId, data.Email, null, TemplateModel.Of(new { })), ct);
        }, cancellationToken);
}

public sealed class RecordProfile(Notifier notifier) : ITopicHandler<ProfileChanged>
{
    public Task<TopicResult> HandleAsync(ProfileChanged data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(ProfileChanged.Topic, envelope, ct => Recipients.UpsertAsync(notifier.Db, data.UserId, data.Email, data.DisplayName, data.ChangedAt, ct), cancellationToken);
}

public sealed class WarnOfRegistrationAttempt(Notifier notifier) : ITopicHandler<RegistrationAttemptedForExistingAccount>
{
    public Task<TopicResult> HandleAsync(RegistrationAttemptedForExistingAccount data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(RegistrationAttemptedForExistingAccount.Topic, envelope,
            ct => notifier.MailAsync(envelope.Id, new OutgoingMail("registration-attempted", data.UserId, data.Email, null, TemplateModel.Of(new { })), ct),
            cancellationToken);
}

public sealed class SendPasswordReset(Notifier notifier, Microsoft.Extensions.Options.IOptions<NotificationsOptions> options) : ITopicHandler<PasswordResetRequested>
{
    public Task<TopicResult> HandleAsync(PasswordResetRequested data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(PasswordResetRequested.Topic, envelope, ct =>
        {
            var resetUrl = $"{options.Value.Mail.PublicBaseUrl.TrimEnd('/')}/reset-password?token={Uri.EscapeDataString(data.Token)}";
            var model = TemplateModel.Of(new { token = data.Token, resetUrl });
            model["expiresAt"] = Localised.Time(data.ExpiresAt);
            return notifier.MailAsync(envelope.Id, new OutgoingMail("password-reset", data.UserId, data.Email, null, model), ct);
        }, cancellationToken);
}

public sealed class ConfirmPasswordChange(Notifier notifier) : ITopicHandler<PasswordChanged>
{
    public Task<TopicResult> HandleAsync(PasswordChanged data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(PasswordChanged.Topic, envelope, ct =>
        {
            var model = TemplateModel.Of(new { });
            model["changedAt"] = Localised.Time(data.ChangedAt);
            return notifier.MailAsync(envelope.Id, new OutgoingMail("password-changed", data.UserId, data.Email, null, model), ct);
        }, cancellationToken);
}

public sealed class SendStaffInvitation(Notifier notifier) : ITopicHandler<StaffInvited>
{
    public Task<TopicResult> HandleAsync(StaffInvited data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(StaffInvited.Topic, envelope, ct =>
        {
            var model = TemplateModel.Of(new { organizerName = data.OrganizerName, role = data.Role.Replace('_', ' '), code = data.Code });
            model["expiresAt"] = Localised.Time(data.ExpiresAt);
            return notifier.MailAsync(envelope.Id, new OutgoingMail("staff-invitation", null, data.Email, data.OrganizerId, model), ct);
        }, cancellationToken);
}

public sealed class ConfirmDeactivation(Notifier notifier) : ITopicHandler<UserDeactivated>
{
    public Task<TopicResult> HandleAsync(UserDeactivated data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(UserDeactivated.Topic, envelope, async ct =>
        {
            if (await notifier.Db.Recipients.SingleOrDefaultAsync(r => r.UserId == data.UserId, ct) is { Status: RecipientStatuses.Active } recipient)
            {
                recipient.Status = RecipientStatuses.Deactivated;
            }

            var model = TemplateModel.Of(new { });
            model["at"] = Localised.Time(data.DeactivatedAt);
            await notifier.MailAsync(envelope.Id, new OutgoingMail("account-deactivated", data.UserId, null, null, model), ct);
        }, cancellationToken);
}

/// <summary>
/// Erasure: the person gets one last message (sent to the address they had, which is dropped once it is sent), and then nothing
/// of them stays here: the projection loses address and name, their messages lose address and content, and what was still
/// queued for them is not sent.
/// </summary>
public sealed class EraseRecipient(Notifier notifier) : ITopicHandler<UserErased>
{
    public Task<TopicResult> HandleAsync(UserErased data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(UserErased.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            var recipient = await db.Recipients.SingleOrDefaultAsync(r => r.UserId == data.UserId, ct);
            var address = recipient?.Email;
            await db.Messages.Where(m => m.RecipientUserId == data.UserId && m.Status == MessageStatuses.Queued)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.Status, MessageStatuses.Suppressed).SetProperty(x => x.Model, (byte[]?)null), ct);
            await db.Messages.Where(m => m.RecipientUserId == data.UserId)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.RecipientEmail, (string?)null).SetProperty(x => x.Model, (byte[]?)null), ct);
            await db.Memberships.Where(m => m.UserId == data.UserId).ExecuteDeleteAsync(ct);
            if (recipient is null)
            {
                db.Recipients.Add(new Recipient { UserId = data.UserId, Status = RecipientStatuses.Erased, ChangedAt = data.ErasedAt });
            }
            else
            {
                recipient.Email = null;
                recipient.DisplayName = null;
                recipient.Language = null;
                recipient.Marketing = false;
                recipient.Status = RecipientStatuses.Erased;
                recipient.ChangedAt = data.ErasedAt;
            }

            if (address is not null)
            {
                var model = TemplateModel.Of(new { });
                model["at"] = Localised.Time(data.ErasedAt);
                await notifier.MailAsync(envelope.Id, new OutgoingMail("account-erased", data.UserId, address, null, model, EraseAfterSend: true), ct);
            }
        }, cancellationToken);
}

public sealed class RecordMembership(Notifier notifier) : ITopicHandler<MembershipChanged>
{
    public Task<TopicResult> HandleAsync(MembershipChanged data, CloudEvent envelope, CancellationToken cancellationToken) =>
        notifier.OnceAsync(MembershipChanged.Topic, envelope, async ct =>
        {
            var db = notifier.Db;
            var membership = await db.Memberships.SingleOrDefaultAsync(m => m.OrganizerId == data.OrganizerId && m.UserId == data.UserId, ct);
            if (membership is null)
            {
                db.Memberships.Add(new Membership { OrganizerId = data.OrganizerId, UserId = data.UserId, Role = data.Role, ChangedAt = data.ChangedAt });
            }
            else if (data.ChangedAt >= membership.ChangedAt)
            {
                membership.Role = data.Role;
                membership.ChangedAt = data.ChangedAt;
            }
        }, cancellationToken);
}
