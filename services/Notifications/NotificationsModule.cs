using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Contracts.Scanning;
using TicketToken.Contracts.Tickets;
using TicketToken.Notifications.Apis;
using TicketToken.Notifications.Data;
using TicketToken.Notifications.Domain;
using TicketToken.Notifications.Subscriptions;

namespace TicketToken.Notifications;

/// <summary>Notifications: e-mail to people from the other modules' events (templates, SMTP, a durable queue and log), fans' preferences, organizers' webhooks.</summary>
public sealed class NotificationsModule : Module
{
    public const string Id = "notifications";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        services.AddOptions<NotificationsOptions>().Bind(module.Configuration.GetSection(NotificationsOptions.Section))
            .Validate(o => o.Smtp.Port is > 0 and < 65536, "TicketToken:Notifications:Smtp:Port must be a TCP port.")
            .Validate(o => Uri.TryCreate(o.Mail.PublicBaseUrl, UriKind.Absolute, out _), "TicketToken:Notifications:Mail:PublicBaseUrl must be an absolute URL.")
            .Validate(o => MimeKit.MailboxAddress.TryParse(o.Mail.FromAddress, out _), "TicketToken:Notifications:Mail:FromAddress must be an e-mail address.")
            .Validate(o => o.Mail.RetryInitialBackoff > TimeSpan.Zero && o.Mail.RetryMaxBackoff >= o.Mail.RetryInitialBackoff && o.Mail.RetryWindow > TimeSpan.Zero,
                "TicketToken:Notifications:Mail retry settings must be positive, the maximum at least the initial backoff.")
            .Validate(o => o.Webhooks.RetryInitialBackoff > TimeSpan.Zero && o.Webhooks.RetryMaxBackoff >= o.Webhooks.RetryInitialBackoff && o.Webhooks.RetryWindow > TimeSpan.Zero
                           && o.Webhooks.Timeout > TimeSpan.Zero, "TicketToken:Notifications:Webhooks retry and timeout settings must be positive.")
            .ValidateOnStart();
        services.AddSecretProtector(Id, NotificationsOptions.SecretKeySetting, developmentSeed: "tickettoken-development-notifications-key");
        // The module's clock: the host's unless a test gives notifications one of its own (to move through a 3-day retry window).
        services.TryAddKeyedSingleton<TimeProvider>(Id, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<MailTemplates>();
        services.AddSingleton<NotificationSignals>();
        services.AddSingleton<SmtpTransport>();
        services.AddSingleton<WebhookSender>();
        services.AddScoped<Notifier>();
        services.AddSingleton<IHostedService, MailSender>();
        services.AddSingleton<IHostedService, WebhookDispatcher>();
        module.AddDbContext<NotificationsDbContext>(NotificationsDbContext.SchemaName)
            // identity
            .Subscribe<UserRegistered, WelcomeNewUser>(UserRegistered.Topic)
            .Subscribe<ProfileChanged, RecordProfile>(ProfileChanged.Topic)
            .Subscribe<RegistrationAttemptedForExistingAccount, WarnOfRegistrationAttempt>(RegistrationAttemptedForExistingAccount.Topic)
            .Subscribe<PasswordResetRequested, SendPasswordReset>(PasswordResetRequested.Topic)
            .Subscribe<PasswordChanged, ConfirmPasswordChange>(PasswordChanged.Topic)
            .Subscribe<StaffInvited, SendStaffInvitation>(StaffInvited.Topic)
            .Subscribe<UserDeactivated, ConfirmDeactivation>(UserDeactivated.Topic)
            .Subscribe<UserErased, EraseRecipient>(UserErased.Topic)
            .Subscribe<MembershipChanged, RecordMembership>(MembershipChanged.Topic)
            // catalog, orders, tickets, inventory, scanning
            .Subscribe<EventPublished, RecordEvent>(EventPublished.Topic)
            .Subscribe<EventCancelled, AnnounceCancellation>(EventCancelled.Topic)
            .Subscribe<OrderConfirmed, ConfirmOrder>(OrderConfirmed.Topic)
            .Subscribe<OrderRefunded, ConfirmRefund>(OrderRefunded.Topic)
            .Subscribe<OrderEnded, ExplainEndedOrder>(OrderEnded.Topic)
            .Subscribe<TicketsIssued, RecordIssuedTickets>(TicketsIssued.Topic)
            .Subscribe<TicketChanged, RecordTicketChange>(TicketChanged.Topic)
            .Subscribe<TicketsRevoked, ExplainRevokedTickets>(TicketsRevoked.Topic)
            .Subscribe<TicketsExpired, ExplainExpiredTickets>(TicketsExpired.Topic)
            .Subscribe<Contracts.Marketplace.OfferChanged, TellOfferParty>(Contracts.Marketplace.OfferChanged.Topic)
            .Subscribe<TransferOffered, OfferGift>(TransferOffered.Topic)
            .Subscribe<TicketTransferred, DeliverGift>(TicketTransferred.Topic)
            .Subscribe<TicketReissued, DeliverReissuedTicket>(TicketReissued.Topic)
            .Subscribe<WaitlistOffered, OfferWaitlistSeats>(WaitlistOffered.Topic)
            .Subscribe<EntryConflictDetected, ReportEntryConflict>(EntryConflictDetected.Topic)
            .Subscribe<TicketCheckedIn, ReportCheckIn>(TicketCheckedIn.Topic)
            .Subscribe<PayoutPaid, ReportPayout>(PayoutPaid.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMessagesApi();
        endpoints.MapWebhooksApi();
    }
}
