using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Notifications.Data;

public sealed class NotificationsDbContext(DbContextOptions<NotificationsDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "notifications";

    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<EventInfo> Events => Set<EventInfo>();
    public DbSet<OrderInfo> Orders => Set<OrderInfo>();
    public DbSet<TicketInfo> Tickets => Set<TicketInfo>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Recipient>(r =>
        {
            r.ToTable("recipients");
            r.HasKey(x => x.UserId);
        });
        modelBuilder.Entity<Membership>(m =>
        {
            m.ToTable("memberships");
            m.HasKey(x => new { x.OrganizerId, x.UserId });
        });
        modelBuilder.Entity<EventInfo>().ToTable("events");
        modelBuilder.Entity<OrderInfo>().ToTable("orders");
        modelBuilder.Entity<TicketInfo>().ToTable("tickets");
        modelBuilder.Entity<Message>().ToTable("messages");
        modelBuilder.Entity<WebhookEndpoint>().ToTable("webhook_endpoints");
        // The foreign keys are declared so that EF inserts an endpoint before its deliveries and a delivery before its attempts.
        modelBuilder.Entity<WebhookDelivery>(d =>
        {
            d.ToTable("webhook_deliveries");
            d.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebhookAttempt>(a =>
        {
            a.ToTable("webhook_attempts");
            a.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public sealed class Recipient
{
    public Guid UserId { get; set; }
    public string? Email { get; set; }
    public string? DisplayName { get; set; }
    public string? Language { get; set; }
    public bool Marketing { get; set; }
    public string Status { get; set; } = RecipientStatuses.Active;
    public DateTimeOffset ChangedAt { get; set; }
}

public static class RecipientStatuses
{
    public const string Active = "active";
    public const string Deactivated = "deactivated";
    public const string Erased = "erased";
}

public sealed class Membership
{
    public Guid OrganizerId { get; set; }
    public Guid UserId { get; set; }
    public string? Role { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

public sealed class EventInfo
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public string? Name { get; set; }
    public string? VenueName { get; set; }
    public string? VenueCity { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public string? TimeZone { get; set; }
    public long Version { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

public sealed class OrderInfo
{
    public Guid Id { get; set; }
    public required string Number { get; set; }
    public Guid BuyerId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid EventId { get; set; }
    public required string Currency { get; set; }
    public long Total { get; set; }
    public DateTimeOffset ConfirmedAt { get; set; }
}

public sealed class TicketInfo
{
    public Guid Id { get; set; }
    public Guid? OrderId { get; set; }
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid OwnerId { get; set; }
    public string? Label { get; set; }
    public required string Status { get; set; }
    public long Sequence { get; set; }
}

/// <summary>One e-mail, from queued to sent (or failed, or suppressed), and then the record of it.</summary>
public sealed class Message
{
    public Guid Id { get; set; }
    public required string DedupeKey { get; set; }
    public required string SourceEventId { get; set; }
    public required string Template { get; set; }
    public required string Category { get; set; }
    public Guid? RecipientUserId { get; set; }
    public string? RecipientEmail { get; set; }
    public Guid? OrganizerId { get; set; }
    public string? Language { get; set; }
    public string? Subject { get; set; }

    /// <summary>The template model as JSON, encrypted with the module's key; null once sent.</summary>
    public byte[]? Model { get; set; }

    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LastError { get; set; }

    /// <summary>The person was erased: the address goes with the message once it is sent.</summary>
    public bool EraseAfterSend { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

public static class MessageStatuses
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>Not sent on purpose: marketing to someone who did not opt in, or a person who was erased.</summary>
    public const string Suppressed = "suppressed";
}

public static class MessageCategories
{
    /// <summary>Receipts, resets, gifts, event changes: always sent.</summary>
    public const string Transactional = "transactional";

    /// <summary>Sent only to fans who opted in.</summary>
    public const string Marketing = "marketing";
}

public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }
    public required string[] EventTypes { get; set; }
    public required byte[] Secret { get; set; }
    public byte[]? PreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public bool Enabled { get; set; } = true;
    public string? DisabledReason { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid EndpointId { get; set; }
    public required string EventId { get; set; }
    public required string EventType { get; set; }
    public required string Payload { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? FirstAttemptAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public static class DeliveryStatuses
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

public sealed class WebhookAttempt
{
    public Guid Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
    public required string Url { get; set; }
    public required string RequestHeaders { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public int DurationMs { get; set; }
    public string? Error { get; set; }
}
