using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Minting.Data;

public sealed class MintingDbContext(DbContextOptions<MintingDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "minting";

    public DbSet<MirroredTicket> Tickets => Set<MirroredTicket>();
    public DbSet<RegistryEntry> RegistryEntries => Set<RegistryEntry>();
    public DbSet<Wallet> Wallets => Set<Wallet>();
    public DbSet<ChainOperation> ChainOperations => Set<ChainOperation>();
    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();
    public DbSet<WalletExportAttempt> WalletExportAttempts => Set<WalletExportAttempt>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MirroredTicket>(t =>
        {
            t.ToTable("tickets");
            t.HasKey(x => x.TicketId);
        });
        modelBuilder.Entity<RegistryEntry>(r =>
        {
            r.ToTable("registry_entries");
            r.HasKey(x => new { x.TicketId, x.Position });
        });
        modelBuilder.Entity<Wallet>(w =>
        {
            w.ToTable("wallets");
            w.HasKey(x => x.OwnerId);
        });
        modelBuilder.Entity<ChainOperation>().ToTable("chain_operations");
        modelBuilder.Entity<WalletExportAttempt>().ToTable("wallet_export_attempts");
        modelBuilder.Entity<ReconciliationRun>(r =>
        {
            r.ToTable("reconciliation_runs");
            r.Property(x => x.Findings).HasColumnType("jsonb");
        });
    }
}

/// <summary>A ticket as the tickets module last described it, and how far the mirror (registry or chain) has caught up.</summary>
public sealed class MirroredTicket
{
    public Guid TicketId { get; set; }
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid OwnerId { get; set; }
    public string Status { get; set; } = "";
    public long Sequence { get; set; }
    public string? Label { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public long MirroredSequence { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? LastError { get; set; }
}

public sealed class RegistryEntry
{
    public Guid TicketId { get; set; }
    public int Position { get; set; }
    public string Kind { get; set; } = "";
    public Guid OwnerId { get; set; }
    public string Status { get; set; } = "";
    public long Sequence { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public byte[] PreviousHash { get; set; } = [];
    public byte[] Hash { get; set; } = [];
    public byte[] Signature { get; set; } = [];
}

public sealed class Wallet
{
    public Guid OwnerId { get; set; }
    public string Address { get; set; } = "";
    public byte[] SeedCiphertext { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExportedAt { get; set; }
}

/// <summary>One attempt to export a custodial wallet's key (the audit trail and the lockout counter).</summary>
public sealed class WalletExportAttempt
{
    public Guid Id { get; set; }
    public Guid FanId { get; set; }
    public string? Address { get; set; }
    public string Outcome { get; set; } = "";
    public string? ClientAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTimeOffset AttemptedAt { get; set; }
}

public sealed class ChainOperation
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public string Kind { get; set; } = "";
    public long Sequence { get; set; }
    public string Mint { get; set; } = "";
    public Guid? ToOwnerId { get; set; }
    public string Signature { get; set; } = "";
    public byte[] Transaction { get; set; } = [];
    public long LastValidBlockHeight { get; set; }
    public string Status { get; set; } = "";
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class ChainOperationStatuses
{
    public const string Recorded = "signed";
    public const string Sent = "sent";
    public const string Landed = "landed";
    public const string Failed = "failed";
    public const string Expired = "expired";
}

public sealed class ReconciliationRun
{
    public Guid Id { get; set; }
    public string Backend { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public int Checked { get; set; }
    public int InSync { get; set; }
    public int Repaired { get; set; }
    public int Unrepairable { get; set; }
    public string Findings { get; set; } = "[]";
}
