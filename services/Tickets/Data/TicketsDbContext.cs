using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Data;

public sealed class TicketsDbContext(DbContextOptions<TicketsDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "tickets";

    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<Transfer> Transfers => Set<Transfer>();
    public DbSet<Holder> Holders => Set<Holder>();
    public DbSet<ApplePassRegistration> ApplePassRegistrations => Set<ApplePassRegistration>();
    public DbSet<TicketAuditEntry> Audit => Set<TicketAuditEntry>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Event>().ToTable("events");
        modelBuilder.Entity<Ticket>(ticket =>
        {
            ticket.ToTable("tickets");
            ticket.Property(t => t.Status).HasConversion(status => TicketLifecycle.Name(status), name => TicketLifecycle.Parse(name));
            ticket.HasOne<Event>().WithMany().HasForeignKey(t => t.EventId);
            ticket.Property(t => t.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<Transfer>(transfer =>
        {
            transfer.ToTable("transfers");
            transfer.Property(t => t.Status).HasConversion(status => Domain.Transfers.Name(status), name => Domain.Transfers.Parse(name));
        });
        modelBuilder.Entity<Holder>().ToTable("holders").HasKey(h => h.UserId);
        modelBuilder.Entity<TicketAuditEntry>().ToTable("ticket_audit");
        modelBuilder.Entity<ApplePassRegistration>(registration =>
        {
            registration.ToTable("apple_pass_registrations");
            registration.HasKey(r => new { r.DeviceLibraryId, r.PassTypeId, r.SerialNumber });
        });
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        PublishTicketChanges();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        PublishTicketChanges();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Every ticket this save creates, or whose status, owner or secret version it changes, gets the next version and a
    /// <c>tickets.changed</c> in the outbox of the same transaction, so no code path can change a ticket silently. Changes of
    /// many tickets at once in SQL do the same in their statement (<see cref="TicketLifecycle.ChangeAllAsync"/>).
    /// </summary>
    private void PublishTicketChanges()
    {
        foreach (var entry in ChangeTracker.Entries<Ticket>().ToList())
        {
            if (entry.State == EntityState.Modified
                && (entry.Property(t => t.Status).IsModified || entry.Property(t => t.OwnerId).IsModified || entry.Property(t => t.SecretVersion).IsModified
                    || entry.Property(t => t.LockReason).IsModified))
            {
                entry.Entity.Version = entry.Property(t => t.Version).OriginalValue + 1;
            }
            else if (entry.State != EntityState.Added)
            {
                continue;
            }

            var t = entry.Entity;
            Publish(TicketChanged.Topic, new TicketChanged(t.Id, t.EventId, t.OrganizerId, t.OwnerId, t.TicketTypeId, t.SeatId, TicketLifecycle.Name(t.Status),
                t.SecretVersion, Locked: t.LockReason is not null, t.Version, t.ChangedAt));
        }
    }
}

/// <summary>What tickets knows of an event: its key (always), and from <c>event.published</c> what fans see on a ticket.</summary>
public sealed class Event
{
    public Guid Id { get; set; }

    /// <summary>The event key (<see cref="Contracts.Tickets.TicketCode.EventKeySize"/> random bytes), encrypted.</summary>
    public required byte[] KeyCiphertext { get; set; }

    public Guid? OrganizerId { get; set; }
    public string? Name { get; set; }
    public Guid? VenueId { get; set; }
    public string? VenueName { get; set; }
    public string? VenueCity { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public string? TimeZone { get; set; }
    public long Version { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether the organizer allows wallet passes and the PDF's code (from <c>event.published</c>; true until told).</summary>
    public bool WalletPassesAllowed { get; set; } = true;

    /// <summary>When what fans see of the event last changed (an announcement, a cancellation): a wallet pass shows it.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A ticket holder's name, as identity announced it at registration (null when they gave none).</summary>
public sealed class Holder
{
    public Guid UserId { get; set; }
    public string? DisplayName { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A device that installed an Apple Wallet pass and asked to hear of its changes (Apple's pass web service).</summary>
public sealed class ApplePassRegistration
{
    public required string DeviceLibraryId { get; set; }
    public required string PassTypeId { get; set; }
    public required string SerialNumber { get; set; }
    public Guid TicketId { get; set; }
    public required string PushToken { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>One ticket. Its status changes only through <see cref="TicketLifecycle"/>.</summary>
/// <summary>
/// A support action on a ticket (<see cref="Action"/>: <c>lock</c>, <c>unlock</c> or <c>reissue</c>), who took it and why;
/// a reissue's entry has the reissue's id and its <see cref="Reason"/> (lost, stolen, damaged, other).
/// </summary>
public sealed class TicketAuditEntry
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Action { get; set; }
    public required string Note { get; set; }
    public string? Reason { get; set; }
    public Guid ActorId { get; set; }
    public DateTimeOffset At { get; set; }
}

public sealed class Ticket
{
    public Guid Id { get; set; }
    public Guid? OrderId { get; set; }
    public string? OrderNumber { get; set; }
    public int? LineNumber { get; set; }
    public Guid? PreviousTicketId { get; set; }
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid OwnerId { get; set; }
    public Guid TicketTypeId { get; set; }
    public required string TicketTypeName { get; set; }
    public string? SeatId { get; set; }
    public string? Section { get; set; }
    public string? SeatRow { get; set; }
    public string? SeatNumber { get; set; }
    public string? PriceZone { get; set; }
    public long FaceValue { get; set; }
    public required string Currency { get; set; }
    public TicketStatus Status { get; internal set; }
    public string? StatusReason { get; internal set; }

    /// <summary>Which secret the codes are made with; a new version makes every earlier code (and screenshot) worthless.</summary>
    public int SecretVersion { get; internal set; } = 1;

    /// <summary>
    /// Grows by one with every change of status, owner or secret version: the <see cref="Contracts.Tickets.TicketChanged.Sequence"/>
    /// of the change, and the concurrency token that keeps two changes from sharing a number.
    /// </summary>
    public long Version { get; internal set; } = 1;

    /// <summary>Why it is locked (one of <see cref="Contracts.Tickets.TicketLockReasons"/>), or null; changed only by <see cref="TicketLifecycle.Lock"/>.</summary>
    public string? LockReason { get; internal set; }

    /// <summary>Who locked it: only the same id unlocks or reissues it.</summary>
    public Guid? LockId { get; internal set; }

    public DateTimeOffset? LockedAt { get; internal set; }

    /// <summary>When status, owner, lock or secret version last changed.</summary>
    public DateTimeOffset ChangedAt { get; internal set; }

    /// <summary>The season or multi-day pass this ticket is one event of (docs/adr/0023); it moves only with the pass's other tickets.</summary>
    public Guid? PassId { get; set; }
    public string? PassName { get; set; }

    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; internal set; }
    public DateTimeOffset StatusChangedAt { get; internal set; }
}
