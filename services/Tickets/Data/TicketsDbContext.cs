using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Data;

public sealed class TicketsDbContext(DbContextOptions<TicketsDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "tickets";

    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<Event> Events => Set<Event>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Event>().ToTable("events");
        modelBuilder.Entity<Ticket>(ticket =>
        {
            ticket.ToTable("tickets");
            ticket.Property(t => t.Status).HasConversion(status => TicketLifecycle.Name(status), name => TicketLifecycle.Parse(name));
            ticket.HasOne<Event>().WithMany().HasForeignKey(t => t.EventId);
        });
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
}

/// <summary>One ticket. Its status changes only through <see cref="TicketLifecycle"/>.</summary>
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
    public int SecretVersion { get; set; } = 1;

    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; internal set; }
    public DateTimeOffset StatusChangedAt { get; internal set; }
}
