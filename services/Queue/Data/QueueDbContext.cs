using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Queue.Data;

/// <summary>
/// The queue's schema. Entries are read and written with plain SQL by <see cref="Domain.QueueBoard"/> (bulk admissions,
/// the opening shuffle); the context serves the small tables and the outbox.
/// </summary>
public sealed class QueueDbContext(DbContextOptions<QueueDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "queue";

    public DbSet<QueueEvent> Events => Set<QueueEvent>();
    public DbSet<QueueAccount> Accounts => Set<QueueAccount>();
    public DbSet<QueuedOnSale> OnSales => Set<QueuedOnSale>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<QueueEvent>().ToTable("events");
        modelBuilder.Entity<QueueAccount>().ToTable("accounts").HasKey(a => a.UserId);
        modelBuilder.Entity<QueuedOnSale>().ToTable("onsales").HasKey(o => o.EventId);
    }
}

/// <summary>An event as catalog published it: whose it is, so only its organizer can queue it.</summary>
public sealed class QueueEvent
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Name { get; set; }
    public long Version { get; set; }
}

/// <summary>When an account was opened: the account-age signal of the risk score.</summary>
public sealed class QueueAccount
{
    public Guid UserId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>An on-sale behind the waiting room and how its queue admits.</summary>
public sealed class QueuedOnSale
{
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public DateTimeOffset OpensAt { get; set; }
    public int? WaveSize { get; set; }
    public int WaveIntervalSeconds { get; set; }
    public int AdmissionValiditySeconds { get; set; }
    public int ProofOfWorkBits { get; set; }
    public int DelayAtScore { get; set; }
    public int RefuseAtScore { get; set; }
    public bool Queued { get; set; }
    public required byte[] SigningKey { get; set; }
    public required byte[] PublicKey { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
    public long NextPlace { get; set; }
    public bool SoldOut { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
