using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using TicketToken.BuildingBlocks.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Data;

public sealed class OrdersDbContext(DbContextOptions<OrdersDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "orders";

    public DbSet<SaleEvent> Events => Set<SaleEvent>();
    public DbSet<TicketPrice> TicketPrices => Set<TicketPrice>();
    public DbSet<ReplacedTicketPrice> TicketPriceHistory => Set<ReplacedTicketPrice>();
    public DbSet<EventReschedule> EventReschedules => Set<EventReschedule>();
    public DbSet<FeeSchedule> FeeSchedules => Set<FeeSchedule>();
    public DbSet<PromoCode> PromoCodes => Set<PromoCode>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<EventCancellation> EventCancellations => Set<EventCancellation>();
    public DbSet<WillCallRelease> WillCallReleases => Set<WillCallRelease>();
    public DbSet<BoxOfficeAuditEntry> BoxOfficeAudit => Set<BoxOfficeAuditEntry>();

    /// <summary>Orders saved (or touched past the change tracker) whose waiters hear of it when the change commits.</summary>
    private readonly HashSet<Guid> _changedOrders = [];

    /// <summary>An event's name or start, part of every order's answer, was saved: remembered answers go at the commit.</summary>
    private bool _eventChanged;

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<Order>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified)
            {
                _changedOrders.Add(entry.Entity.Id);
            }
        }

        _eventChanged |= ChangeTracker.Entries<SaleEvent>().Any(e => e.State is EntityState.Added or EntityState.Modified);
        foreach (var entry in ChangeTracker.Entries<OrderLine>())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                _changedOrders.Add(entry.Entity.OrderId);
            }
        }

        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// An order changed by a statement past the change tracker (<c>ExecuteUpdate</c>): its waiters hear of it when the
    /// current transaction commits, or at once when there is none (the statement committed on its own).
    /// </summary>
    public void OrderChanged(Guid orderId)
    {
        _changedOrders.Add(orderId);
        if (Database.CurrentTransaction is null)
        {
            OnCommitted();
        }
    }

    protected override void OnCommitted()
    {
        if (_eventChanged)
        {
            _eventChanged = false;
            Domain.OrderETags.EventChanged();
        }

        foreach (var orderId in _changedOrders)
        {
            Domain.OrderSignals.Changed(orderId);
        }

        _changedOrders.Clear();
    }

    protected override void OnRolledBack()
    {
        _changedOrders.Clear();
        _eventChanged = false;
    }

    protected override void ConfigureModel(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SaleEvent>().ToTable("events");
        modelBuilder.Entity<TicketPrice>(price =>
        {
            price.ToTable("ticket_prices").HasKey(p => new { p.EventId, p.TicketTypeId });
            price.HasOne<SaleEvent>().WithMany().HasForeignKey(p => p.EventId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ReplacedTicketPrice>().ToTable("ticket_price_history").HasKey(p => new { p.EventId, p.TicketTypeId, p.ReplacedAt });
        modelBuilder.Entity<EventReschedule>().ToTable("event_reschedules").HasKey(r => new { r.EventId, r.Version });
        modelBuilder.Entity<FeeSchedule>().ToTable("fee_schedules").HasKey(f => f.OrganizerId);
        modelBuilder.Entity<PromoCode>().ToTable("promo_codes");
        modelBuilder.Entity<Order>(order =>
        {
            order.ToTable("orders");
            order.HasOne<SaleEvent>().WithMany().HasForeignKey(o => o.EventId);
            order.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
            order.Property(o => o.Status).HasConversion(new StoredNameConverter<OrderStatus>());
        });
        modelBuilder.Entity<OrderLine>(line =>
        {
            line.ToTable("order_lines").HasKey(l => new { l.OrderId, l.LineNumber });
            line.Property(l => l.RowLabel).HasColumnName("row_label");
        });
        modelBuilder.Entity<Refund>().ToTable("refunds");
        modelBuilder.Entity<EventCancellation>().ToTable("event_cancellations").HasKey(c => c.EventId);
        modelBuilder.Entity<WillCallRelease>().ToTable("will_call_releases").HasKey(r => r.OrderId);
        modelBuilder.Entity<WillCallRelease>().Property(r => r.DocumentLast4).HasColumnName("document_last4");
        modelBuilder.Entity<BoxOfficeAuditEntry>(audit =>
        {
            audit.ToTable("box_office_audit");
            audit.Property(a => a.Details).HasColumnType("jsonb");
        });
    }
}

/// <summary>Stores an enum as the text of its <see cref="StoredNames{TEnum}"/>, the text the column held when it was a string.</summary>
public sealed class StoredNameConverter<TEnum>() : ValueConverter<TEnum, string>(value => StoredNames<TEnum>.Of(value), name => StoredNames<TEnum>.Parse(name))
    where TEnum : struct, Enum;

/// <summary>An event as catalog published it: what orders needs to price a hold and to name it on a receipt.</summary>
public sealed class SaleEvent
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid VenueId { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Currency { get; set; }
    public string? Country { get; set; }
    public bool Cancelled { get; set; }
    public long Version { get; set; }
}

public sealed class TicketPrice
{
    public Guid EventId { get; set; }
    public Guid TicketTypeId { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? PriceZone { get; set; }
    public long PriceMinor { get; set; }
}

/// <summary>A price that applied to a ticket type until <see cref="ReplacedAt"/>: what a hold made before then is charged.</summary>
public sealed class ReplacedTicketPrice
{
    public Guid EventId { get; set; }
    public Guid TicketTypeId { get; set; }
    public long PriceMinor { get; set; }
    public DateTimeOffset ReplacedAt { get; set; }
}

/// <summary>An event moved to another time: orders confirmed before <see cref="RescheduledAt"/> may be refunded until <see cref="RefundUntil"/>.</summary>
public sealed class EventReschedule
{
    public Guid EventId { get; set; }
    public long Version { get; set; }
    public DateTimeOffset PreviousStartsAt { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset RescheduledAt { get; set; }
    public DateTimeOffset RefundUntil { get; set; }
    public string? Reason { get; set; }
}

public sealed class FeeSchedule
{
    public Guid OrganizerId { get; set; }
    public int ServiceBasisPoints { get; set; }
    public long PerTicketMinor { get; set; }
    public int ProcessingBasisPoints { get; set; }
    public long ProcessingFixedMinor { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class PromoCode
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid? EventId { get; set; }
    public required string Code { get; set; }
    public int? PercentBasisPoints { get; set; }
    public long? AmountOffMinor { get; set; }
    public string? Currency { get; set; }
    public int? MaxUses { get; set; }
    public int Uses { get; set; }
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Order
{
    public Guid Id { get; set; }
    public required string Number { get; set; }
    public Guid BuyerId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid EventId { get; set; }
    public Guid HoldId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required OrderStatus Status { get; set; }

    /// <summary><see cref="OrderKinds.Sale"/>, or <see cref="OrderKinds.Comp"/>: free tickets an organizer gave to named guests.</summary>
    public string Kind { get; set; } = OrderKinds.Sale;
    public required string Currency { get; set; }
    public long FaceValue { get; set; }
    public long Discount { get; set; }
    public long Fees { get; set; }
    public long Tax { get; set; }
    public long Total { get; set; }
    public long Refunded { get; set; }
    public Guid? PromoCodeId { get; set; }
    public string? PaymentIntentId { get; set; }

    /// <summary>The gateway of the intent and its client secret (what the fan's browser confirms the payment with).</summary>
    public string? PaymentGateway { get; set; }
    public string? PaymentClientSecret { get; set; }
    public long ProcessorFee { get; set; }

    /// <summary>Confirmations the gateway reported for the order's intent, and the last declined one's code and message.</summary>
    public int PaymentAttempts { get; set; }
    public string? LastDeclineCode { get; set; }
    public string? LastDeclineMessage { get; set; }
    public string? FailureCode { get; set; }
    public string? FailureMessage { get; set; }
    public DateTimeOffset PayBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>A box-office order's payment at the counter (<see cref="Contracts.Orders.CounterPaymentMethods"/>) and the card terminal's reference.</summary>
    public string? PaymentMethod { get; set; }
    public string? TerminalReference { get; set; }

    /// <summary><c>counter</c> or <c>phone</c> for a box-office order; null otherwise.</summary>
    public string? Channel { get; set; }

    /// <summary>Who a box-office order is for, as the clerk typed it (the tickets belong to the clerk's account).</summary>
    public string? BuyerName { get; set; }
    public string? BuyerEmail { get; set; }

    /// <summary>The pass this order buys (docs/adr/0023): its lines span the pass's events; null for any other order.</summary>
    public Guid? PassId { get; set; }
    public string? PassName { get; set; }

    /// <summary>The tickets are mailed to <see cref="BuyerEmail"/> when the order is confirmed.</summary>
    public bool MailTickets { get; set; }

    /// <summary>The tickets wait at the box office: no code and no admission until an ID check releases them.</summary>
    public bool WillCall { get; set; }
    public List<OrderLine> Lines { get; set; } = [];
}

/// <summary>The ID check that released a will-call order: who, when, the document's type and at most its last four characters.</summary>
public sealed class WillCallRelease
{
    public Guid OrderId { get; set; }
    public Guid ReleasedBy { get; set; }
    public DateTimeOffset ReleasedAt { get; set; }
    public required string DocumentType { get; set; }
    public string? DocumentLast4 { get; set; }
    public required string CollectedBy { get; set; }
}

/// <summary>One box-office action (<see cref="BoxOfficeActions"/>), by whom, on what; <see cref="Details"/> is a JSON object.</summary>
public sealed class BoxOfficeAuditEntry
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid? EventId { get; set; }
    public Guid? OrderId { get; set; }
    public Guid ActorId { get; set; }
    public required string Action { get; set; }
    public required string Details { get; set; }
    public DateTimeOffset At { get; set; }
}

public static class BoxOfficeActions
{
    public const string Sale = "sale";
    public const string PhoneOrder = "phone_order";
    public const string WillCallRelease = "will_call_release";
    public const string Lookup = "lookup";
}

public sealed class OrderLine
{
    public Guid OrderId { get; set; }
    public int LineNumber { get; set; }
    public Guid TicketTypeId { get; set; }
    public required string TicketTypeName { get; set; }
    public string? SeatId { get; set; }
    public string? Section { get; set; }
    public string? RowLabel { get; set; }
    public string? SeatNumber { get; set; }
    public string? PriceZone { get; set; }
    public long FaceValue { get; set; }
    public long Discount { get; set; }
    public long Fees { get; set; }
    public long Tax { get; set; }
    public bool Refunded { get; set; }

    /// <summary>A comp's guest and why they were invited (<see cref="CompReasons"/>); null on a sale.</summary>
    public string? GuestName { get; set; }
    public string? GuestEmail { get; set; }
    public string? CompReason { get; set; }

    /// <summary>A pass order's line: its own event and the pass; null on other orders, whose lines are of the order's event.</summary>
    public Guid? EventId { get; set; }
    public Guid? PassId { get; set; }

    public long Total => FaceValue - Discount + Fees + Tax;
}

public static class OrderKinds
{
    public const string Sale = "sale";
    public const string Comp = "comp";

    /// <summary>Sold by the organizer's box office, at the counter or by phone, and paid there (no payment intent).</summary>
    public const string BoxOffice = "box_office";
}

public static class CompReasons
{
    public static readonly IReadOnlyList<string> All = ["press", "artist", "staff", "sponsor", "guest"];
}

public sealed class Refund
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public int[] Lines { get; set; } = [];
    public long Amount { get; set; }
    public bool ReturnSeats { get; set; }
    public required string Reason { get; set; }
    public required string Status { get; set; }
    public Guid RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary><see cref="RefundCauses.EventCancelled"/> for the refunds a cancellation starts; null for an organizer's refund of one order.</summary>
    public string? Cause { get; set; }

    /// <summary>The cancelled event a <see cref="RefundCauses.EventCancelled"/> refund answers (for a pass's order, that event's lines only).</summary>
    public Guid? EventId { get; set; }

    /// <summary>The platform's fees (and the tax on them) stay paid: the organizer's policy when cancelling.</summary>
    public bool KeepFees { get; set; }
    public string? FailureMessage { get; set; }
}

public static class RefundCauses
{
    public const string EventCancelled = "event_cancelled";
    public const string EventRescheduled = "event_rescheduled";
}

/// <summary>A cancelled event whose paid orders are refunded: the fee policy the organizer chose and how many orders it covers.</summary>
public sealed class EventCancellation
{
    public Guid EventId { get; set; }
    public Guid OrganizerId { get; set; }
    public required string FeePolicy { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CancelledAt { get; set; }
    public int Orders { get; set; }
}
