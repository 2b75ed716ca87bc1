using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Payments.Data;

public sealed class PaymentsDbContext(DbContextOptions<PaymentsDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "payments";

    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();
    public DbSet<OrganizerAccount> OrganizerAccounts => Set<OrganizerAccount>();
    public DbSet<Payout> Payouts => Set<Payout>();
    public DbSet<SellerAccount> SellerAccounts => Set<SellerAccount>();
    public DbSet<SellerPayout> SellerPayouts => Set<SellerPayout>();
    public DbSet<JournalTransaction> JournalTransactions => Set<JournalTransaction>();
    public DbSet<JournalEntry> JournalEntries => Set<JournalEntry>();
    public DbSet<SimulatedObject> SimulatedObjects => Set<SimulatedObject>();
    public DbSet<SimulatedRequest> SimulatedRequests => Set<SimulatedRequest>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(payment => payment.ToTable("payments").HasKey(p => p.OrderId));
        modelBuilder.Entity<Refund>(refund =>
        {
            refund.ToTable("refunds").HasKey(r => r.RefundId);
            refund.HasOne<Payment>().WithMany().HasForeignKey(r => r.OrderId);
        });
        modelBuilder.Entity<WebhookEvent>(webhook =>
        {
            webhook.ToTable("webhook_events");
            webhook.Property(w => w.Payload).HasColumnType("jsonb");
        });
        modelBuilder.Entity<OrganizerAccount>(account => account.ToTable("organizer_accounts").HasKey(a => a.OrganizerId));
        modelBuilder.Entity<Payout>().ToTable("payouts");
        modelBuilder.Entity<SellerAccount>(account => account.ToTable("seller_accounts").HasKey(a => a.UserId));
        modelBuilder.Entity<SellerPayout>(payout => payout.ToTable("seller_payouts").HasKey(p => p.ResaleId));
        modelBuilder.Entity<JournalTransaction>(transaction =>
        {
            transaction.ToTable("journal_transactions");
            transaction.HasMany(t => t.Entries).WithOne().HasForeignKey(e => new { e.TransactionId, e.Currency })
                .HasPrincipalKey(t => new { t.Id, t.Currency });
        });
        modelBuilder.Entity<JournalEntry>(entry =>
        {
            entry.ToTable("journal_entries");
            entry.Property(e => e.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<SimulatedObject>(simulated =>
        {
            simulated.ToTable("simulated_objects");
            simulated.Property(s => s.ObjectType).HasColumnName("object");
            simulated.Property(s => s.Body).HasColumnType("jsonb");
        });
        modelBuilder.Entity<SimulatedRequest>(request => request.ToTable("simulated_requests").HasKey(r => r.IdempotencyKey));
    }
}

public sealed class Payment
{
    public Guid OrderId { get; set; }
    public string? OrderNumber { get; set; }
    public Guid? BuyerId { get; set; }
    public Guid? OrganizerId { get; set; }
    public Guid? EventId { get; set; }
    public required string Gateway { get; set; }
    public required string IntentId { get; set; }
    public string? ClientSecret { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset StatusChangedAt { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset? PayBy { get; set; }
    public DateTimeOffset? SucceededAt { get; set; }
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>Confirmations the gateway reported (declined ones and the one that succeeded).</summary>
    public int Attempts { get; set; }

    /// <summary>False while the row is one a webhook made before the order's own request: its amount is then the gateway's word.</summary>
    public bool AmountFromOrder { get; set; } = true;

    /// <summary>Why support has to look at it (<see cref="Domain.PaymentReview"/>), and what the gateway reported.</summary>
    public string? Review { get; set; }
    public long? ReportedAmount { get; set; }
    public string? ReportedCurrency { get; set; }
    public DateTimeOffset? FlaggedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Refund
{
    public Guid RefundId { get; set; }
    public Guid OrderId { get; set; }
    public required string GatewayRefundId { get; set; }
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class WebhookEvent
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset Created { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}

public sealed class OrganizerAccount
{
    public Guid OrganizerId { get; set; }
    public required string Gateway { get; set; }
    public required string AccountId { get; set; }
    public bool DetailsSubmitted { get; set; }
    public bool ChargesEnabled { get; set; }
    public bool PayoutsEnabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Payout
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string AccountId { get; set; }
    public required string Currency { get; set; }
    public long Amount { get; set; }
    public required string Status { get; set; }
    public string? TransferId { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public sealed class JournalTransaction
{
    public Guid Id { get; set; }
    public required string SourceType { get; set; }
    public required string SourceId { get; set; }
    public required string Currency { get; set; }
    public required string Description { get; set; }
    public Guid? OrganizerId { get; set; }
    public Guid? OrderId { get; set; }
    public DateTimeOffset PostedAt { get; set; }
    public List<JournalEntry> Entries { get; set; } = [];
}

/// <summary>One line of a journal transaction: a debit (positive) or a credit (negative) to one account.</summary>
public sealed class JournalEntry
{
    public long Id { get; set; }
    public Guid TransactionId { get; set; }
    public required string Currency { get; set; }
    public required string Account { get; set; }
    public long Amount { get; set; }
    public DateTimeOffset PostedAt { get; set; }
}

/// <summary>The simulated gateway's first answer to an Idempotency-Key, replayed to every retry with the same parameters.</summary>
public sealed class SimulatedRequest
{
    public required string IdempotencyKey { get; set; }
    public required string Fingerprint { get; set; }
    public int Status { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A payment intent, refund, account or transfer of the simulated gateway, as Stripe's JSON.</summary>
public sealed class SimulatedObject
{
    public required string Id { get; set; }
    public required string ObjectType { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? ParentId { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
