using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Data;

namespace TicketToken.Marketplace.Data;

public sealed class MarketplaceDbContext(DbContextOptions<MarketplaceDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "marketplace";

    public DbSet<ResaleEvent> Events => Set<ResaleEvent>();
    public DbSet<OrderAmount> OrderAmounts => Set<OrderAmount>();
    public DbSet<Listing> Listings => Set<Listing>();
    public DbSet<Resale> Resales => Set<Resale>();
    public DbSet<Offer> Offers => Set<Offer>();

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ResaleEvent>(e =>
        {
            e.ToTable("events");
            e.Property(x => x.RoyaltyBasisPoints).HasColumnName("royalty_bp");
        });
        modelBuilder.Entity<OrderAmount>().ToTable("order_amounts").HasKey(o => o.OrderId);
        modelBuilder.Entity<Listing>().ToTable("listings");
        modelBuilder.Entity<Resale>().ToTable("resales");
        modelBuilder.Entity<Offer>().ToTable("offers");
    }
}

/// <summary>An event as catalog published it, with its resale policy.</summary>
public sealed class ResaleEvent
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Currency { get; set; }
    public string? Country { get; set; }
    public bool ResaleAllowed { get; set; }
    public int? CapPercent { get; set; }
    public int RoyaltyBasisPoints { get; set; }
    public int? ListingCooldownMinutes { get; set; }
    public int? MaxListingsPerFan { get; set; }
    public bool Cancelled { get; set; }
    public long Version { get; set; }
}

public sealed class OrderAmount
{
    public Guid OrderId { get; set; }
    public long FaceValue { get; set; }
    public long Total { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }
}

/// <summary>A ticket offered for resale by its owner; its id is also the ticket's lock id.</summary>
public sealed class Listing
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid SellerId { get; set; }
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public required string TicketTypeName { get; set; }
    public string? Section { get; set; }
    public string? SeatRow { get; set; }
    public string? SeatNumber { get; set; }
    public long Price { get; set; }
    public long Cap { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public Guid? ResaleId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One buyer's purchase of a listing: the resale workflow's instance (same id) and the payment's key.</summary>
public sealed class Resale
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public Guid TicketId { get; set; }
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid SellerId { get; set; }
    public Guid BuyerId { get; set; }
    public long Price { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset PayBy { get; set; }
    public string? PaymentIntentId { get; set; }
    public string? ClientSecret { get; set; }
    public long? ProcessorFee { get; set; }
    public long? SellerShare { get; set; }
    public long? PlatformFee { get; set; }
    public long? Royalty { get; set; }
    public string? FailureCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? RefundedAt { get; set; }

    /// <summary>The accepted offer this resale came from; null for a purchase at the asking price.</summary>
    public Guid? OfferId { get; set; }
}

/// <summary>A buyer's offer below a listing's asking price, and the seller's counter to it.</summary>
public sealed class Offer
{
    public Guid Id { get; set; }
    public Guid ListingId { get; set; }
    public Guid EventId { get; set; }
    public Guid SellerId { get; set; }
    public Guid BuyerId { get; set; }
    public long Price { get; set; }
    public long? CounterPrice { get; set; }
    public required string Currency { get; set; }
    public required string Status { get; set; }
    public Guid? ResaleId { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>What accepting it now would cost the buyer: the counter once there is one.</summary>
    public long AgreedPrice => CounterPrice ?? Price;
}

/// <summary>
/// Where an offer stands. Open: pending (the seller's turn) and countered (the buyer's turn), until it expires. Ended:
/// accepted (a resale started), declined, withdrawn by the buyer, expired (also an accepted one whose buyer did not pay),
/// void (its listing ended: withdrawn, sold, expired, its event cancelled).
/// </summary>
public static class OfferStatuses
{
    public const string Pending = "pending";
    public const string Countered = "countered";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Withdrawn = "withdrawn";
    public const string Expired = "expired";
    public const string Void = "void";

    public static bool IsOpen(string status) => status is Pending or Countered;
}

public static class ListingStatuses
{
    public const string Active = "active";
    public const string Reserved = "reserved";
    public const string Sold = "sold";
    public const string Withdrawn = "withdrawn";
    public const string Expired = "expired";
}

public static class ResaleStatuses
{
    public const string PendingPayment = "pending_payment";
    public const string Paid = "paid";
    public const string Completed = "completed";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public static bool IsFinal(string status) => status is Completed or Expired or Cancelled or Failed;
}
