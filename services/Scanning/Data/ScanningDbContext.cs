using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Scanning.Data;

/// <summary>
/// The scanning schema. The hot path (scans, the in-memory views) speaks SQL through Npgsql directly; this context
/// serves the projections' inbox and the organizers' reads.
/// </summary>
public sealed class ScanningDbContext(DbContextOptions<ScanningDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "scanning";

    public DbSet<ScanEvent> Events => Set<ScanEvent>();
    public DbSet<ScanPolicyRow> ScanPolicies => Set<ScanPolicyRow>();
    public DbSet<Conflict> Conflicts => Set<Conflict>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ScanEvent>().ToTable("events");
        modelBuilder.Entity<ScanPolicyRow>(policy =>
        {
            policy.ToTable("scan_policies").HasKey(p => p.EventId);
            policy.Property(p => p.Rules).HasColumnType("jsonb");
        });
        modelBuilder.Entity<Conflict>().ToTable("conflicts").HasKey(c => c.ScanId);
    }
}

/// <summary>An event as catalog announced it (the newest version).</summary>
public sealed class ScanEvent
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid VenueId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public long Version { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset ProjectedAt { get; set; }
}

public sealed class ScanPolicyRow
{
    public Guid EventId { get; set; }
    public required string Template { get; set; }

    /// <summary>The <see cref="Domain.ScanPolicy"/> as JSON.</summary>
    public required string Rules { get; set; }

    public Guid UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class Conflict
{
    public Guid ScanId { get; set; }
    public Guid EventId { get; set; }
    public Guid TicketId { get; set; }
    public Guid DeviceId { get; set; }
    public DateTimeOffset ScannedAt { get; set; }
    public required string Reason { get; set; }
    public Guid FirstScanId { get; set; }
    public Guid FirstDeviceId { get; set; }
    public DateTimeOffset FirstScannedAt { get; set; }
    public DateTimeOffset DetectedAt { get; set; }
}
