using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Data;

public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "catalog";

    public DbSet<Venue> Venues => Set<Venue>();
    public DbSet<SeatMap> SeatMaps => Set<SeatMap>();
    public DbSet<PriceZone> PriceZones => Set<PriceZone>();
    public DbSet<Section> Sections => Set<Section>();
    public DbSet<SeatRow> SeatRows => Set<SeatRow>();
    public DbSet<Seat> Seats => Set<Seat>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<TicketType> TicketTypes => Set<TicketType>();
    public DbSet<Pass> Passes => Set<Pass>();
    public DbSet<PassEvent> PassEvents => Set<PassEvent>();
    public DbSet<EventRevision> EventRevisions => Set<EventRevision>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Venue>().ToTable("venues");
        // The foreign keys of the migration, declared so that EF orders inserts parent-first.
        modelBuilder.Entity<SeatMap>(seatMap =>
        {
            seatMap.ToTable("seat_maps");
            seatMap.Property(m => m.Shapes).HasColumnType("jsonb");
            seatMap.HasOne<Venue>().WithMany().HasForeignKey(m => m.VenueId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PriceZone>(zone =>
        {
            zone.ToTable("price_zones").HasKey(z => new { z.SeatMapId, z.Code });
            zone.HasOne<SeatMap>().WithMany().HasForeignKey(z => z.SeatMapId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Section>(section =>
        {
            section.ToTable("sections");
            section.HasOne<SeatMap>().WithMany().HasForeignKey(s => s.SeatMapId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SeatRow>(row =>
        {
            row.ToTable("seat_rows");
            row.HasOne<Section>().WithMany().HasForeignKey(r => r.SectionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Seat>(seat =>
        {
            seat.ToTable("seats").HasKey(s => new { s.RowId, s.Number });
            seat.HasOne<SeatRow>().WithMany().HasForeignKey(s => s.RowId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Event>(@event =>
        {
            @event.ToTable("events");
            @event.Property(e => e.Status).HasConversion(status => EventLifecycle.Name(status), name => EventLifecycle.Parse(name));
            @event.HasOne<Venue>().WithMany().HasForeignKey(e => e.VenueId);
            @event.HasOne<SeatMap>().WithMany().HasForeignKey(e => e.SeatMapId);
        });
        modelBuilder.Entity<TicketType>(ticketType =>
        {
            ticketType.ToTable("ticket_types");
            ticketType.HasOne<Event>().WithMany().HasForeignKey(t => t.EventId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Pass>(pass =>
        {
            pass.ToTable("passes");
            pass.HasMany(p => p.Events).WithOne().HasForeignKey(e => e.PassId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PassEvent>(passEvent =>
        {
            passEvent.ToTable("pass_events").HasKey(e => new { e.PassId, e.EventId });
            passEvent.HasOne<Event>().WithMany().HasForeignKey(e => e.EventId);
            passEvent.HasOne<TicketType>().WithMany().HasForeignKey(e => e.TicketTypeId);
        });
        modelBuilder.Entity<EventRevision>(revision =>
        {
            revision.ToTable("event_revisions").HasKey(r => new { r.EventId, r.Version });
            revision.Property(r => r.Details).HasColumnType("jsonb");
            revision.HasOne<Event>().WithMany().HasForeignKey(r => r.EventId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

public sealed class Venue
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Name { get; set; }
    public required string AddressLine1 { get; set; }
    public string? AddressLine2 { get; set; }
    public required string City { get; set; }
    public required string PostalCode { get; set; }
    public required string Country { get; set; }
    public required string TimeZone { get; set; }
    public int Capacity { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SeatMap
{
    public Guid Id { get; set; }
    public Guid VenueId { get; set; }
    public required string Name { get; set; }
    public int SeatCount { get; set; }

    /// <summary>What a pretix import kept beyond the seats (<see cref="Domain.PlanShapes"/> as JSON); null for maps made here.</summary>
    public string? Shapes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class PriceZone
{
    public Guid SeatMapId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Colour { get; set; }
    public int Position { get; set; }
}

public sealed class Section
{
    public Guid Id { get; set; }
    public Guid SeatMapId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public int Position { get; set; }
}

public sealed class SeatRow
{
    public Guid Id { get; set; }
    public Guid SectionId { get; set; }
    public required string Label { get; set; }
    public int Index { get; set; }
}

public sealed class Seat
{
    public Guid RowId { get; set; }
    public required string Number { get; set; }
    public Guid SeatMapId { get; set; }
    public int Position { get; set; }
    public required string PriceZone { get; set; }
    public bool Accessible { get; set; }
    public bool Companion { get; set; }
    public bool Blocked { get; set; }
    public double X { get; set; }
    public double Y { get; set; }
}

public sealed class Event
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid VenueId { get; set; }
    public Guid? SeatMapId { get; set; }
    public Guid? SeriesId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? Category { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public DateTimeOffset SalesStartAt { get; set; }
    public DateTimeOffset SalesEndAt { get; set; }
    public required string Currency { get; set; }
    public int PerOrderLimit { get; set; }
    public int PerAccountLimit { get; set; }
    public bool ResaleAllowed { get; set; }
    public int? ResalePriceCapPercent { get; set; }
    public int ResaleRoyaltyBasisPoints { get; set; }
    public int? ResaleListingCooldownMinutes { get; set; }
    public int? ResaleMaxListingsPerFan { get; set; }

    /// <summary>Whether tickets may leave the app as wallet passes and PDFs (<see cref="Contracts.Catalog.EventPublished.WalletPassesAllowed"/>).</summary>
    public bool WalletPassesAllowed { get; set; } = true;

    public EventStatus Status { get; set; }
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancellationReason { get; set; }

    /// <summary>The venue's name as fans are shown it for this event, when the organizer changed it after publishing; null: the venue's own.</summary>
    public string? VenueName { get; set; }

    /// <summary>The address fans are shown for this event, when the organizer changed it; null: the venue's own.</summary>
    public string? VenueAddress { get; set; }

    public DateTimeOffset? DoorsAt { get; set; }
}

/// <summary>One change of a published event: the version it made, what changed (<see cref="Details"/>, JSON) and who changed it.</summary>
public sealed class EventRevision
{
    public Guid EventId { get; set; }
    public long Version { get; set; }
    public required string Kind { get; set; }
    public string? Reason { get; set; }
    public required string Details { get; set; }
    public Guid ChangedBy { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

public sealed class TicketType
{
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? PriceZone { get; set; }
    public int? Capacity { get; set; }
    public long PriceMinor { get; set; }

    /// <summary>Where its tickets enter: one of <see cref="Contracts.Catalog.AccessZones"/>.</summary>
    public string AccessZone { get; set; } = Contracts.Catalog.AccessZones.GeneralAdmission;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A season or multi-day pass: one product over several events, sold once at <see cref="PriceMinor"/> (docs/adr/0023).</summary>
public sealed class Pass
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary><c>reserved</c> (the same seat in every event, of <see cref="SeatMapId"/>) or <c>general_admission</c>.</summary>
    public required string Kind { get; set; }

    public Guid? SeatMapId { get; set; }
    public long PriceMinor { get; set; }
    public required string Currency { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<PassEvent> Events { get; set; } = [];
}

/// <summary>One event of a pass and the ticket type its ticket there is of.</summary>
public sealed class PassEvent
{
    public Guid PassId { get; set; }
    public Guid EventId { get; set; }
    public Guid TicketTypeId { get; set; }
    public int Position { get; set; }
}
