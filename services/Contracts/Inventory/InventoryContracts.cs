using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Inventory;

/// <summary>
/// The parts of a pass hold (docs/adr/0023): one ordinary hold per event, whose id inventory derives from the pass hold's
/// id and the event's, so orders finds each part of the pass hold it checks out without being told them.
/// </summary>
public static class PassHolds
{
    public static Guid PartId(Guid passHoldId, Guid eventId) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{passHoldId:N}/{eventId:N}")).AsSpan(0, 16));
}

/// <summary>Actor types of the inventory module and how their ids are made.</summary>
public static class InventoryActors
{
    public const string Event = "EventInventory";
    public const string Section = "SeatSection";
    public const string GeneralAdmission = "GeneralAdmission";
    public const string BuyerHolds = "BuyerHolds";
    public const string Waitlist = "Waitlist";

    public static ActorId EventId(Guid eventId) => new(eventId.ToString("N"));

    public static ActorId SectionId(Guid eventId, string sectionCode) => new($"{eventId:N}.{sectionCode}");

    public static ActorId GeneralAdmissionId(Guid eventId, Guid ticketTypeId) => new($"{eventId:N}.{ticketTypeId:N}");

    public static ActorId BuyerId(Guid eventId, Guid buyerId) => new($"{eventId:N}.{buyerId:N}");
}

/// <summary>
/// One buyer's holds for one event: the coordinator of a hold across sections (all or nothing) and the keeper of
/// the per-account limit. Orders commits and releases holds through this actor.
/// </summary>
public interface IBuyerHoldsActor : IActor
{
    Task<HoldOutcome> CreateHoldAsync(CreateHold request);

    Task<HoldView?> GetHoldAsync(HoldRef hold);

    Task<HoldOutcome> ExtendHoldAsync(HoldRef hold);

    Task<bool> ReleaseHoldAsync(HoldRef hold);

    /// <summary>The held seats become sold to <see cref="CommitHold.OrderId"/>; repeating it with the same order is a no-op success.</summary>
    Task<HoldOutcome> CommitHoldAsync(CommitHold request);

    /// <summary>
    /// Gives sold seats and places of the order back to the sale (a refund that returns them, or a purchase that could not
    /// finish): the listed ones, or all with both lists null. Idempotent; the answer is what the hold still has.
    /// </summary>
    Task<HoldOutcome> ReturnSeatsAsync(ReturnSeats request);
}

/// <summary>
/// What to hold: specific seats, the best N adjacent seats (in a section or a price zone), and/or general admission.
/// <see cref="Complimentary"/>: an organizer's comps for guests, which count against capacity like any sale but are not
/// bound by the fans' per-order and per-account limits or the sales window (guest lists are made before sales open).
/// </summary>
public sealed record CreateHold(Guid HoldId, Guid EventId, Guid BuyerId, IReadOnlyList<string> Seats, BestAvailable? Best, IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission,
    bool Complimentary = false);

public sealed record BestAvailable(int Quantity, string? Section, string? PriceZone);

public sealed record GeneralAdmissionQuantity(Guid TicketTypeId, int Quantity);

public sealed record HoldRef(Guid HoldId);

public sealed record CommitHold(Guid HoldId, Guid OrderId);

/// <summary>What of a sold hold goes back: <see cref="SeatIds"/> and <see cref="GeneralAdmission"/> quantities, or everything when both are null.</summary>
public sealed record ReturnSeats(Guid HoldId, Guid OrderId, IReadOnlyList<string>? SeatIds, IReadOnlyList<GeneralAdmissionQuantity>? GeneralAdmission);

/// <summary>The answer to a hold operation: the hold, or a stable failure code (see <see cref="HoldFailures"/>).</summary>
public sealed record HoldOutcome(HoldView? Hold, string? Failure, string? Detail)
{
    public static HoldOutcome Ok(HoldView hold) => new(hold, null, null);

    public static HoldOutcome Fail(string failure, string? detail = null) => new(null, failure, detail);
}

public sealed record HoldView(Guid HoldId, Guid EventId, Guid BuyerId, HoldStatus Status, IReadOnlyList<HeldSeat> Seats,
    IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission, DateTimeOffset ExpiresAt, Guid? OrderId)
{
    public int Quantity => Seats.Count + GeneralAdmission.Sum(g => g.Quantity);

    /// <summary>When the hold was made: a checkout is priced at the prices of that moment (a later price change leaves it alone); null from older versions.</summary>
    public DateTimeOffset? HeldAt { get; init; }
}

/// <summary>
/// A hold is <c>active</c> until it expires or is released, or <c>sold</c> once committed to an order. The names are
/// the text in actor state and REST answers written when the status was a string: they must not change.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<HoldStatus>))]
public enum HoldStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("sold")] Sold,
}

public sealed record HeldSeat(string Id, string Section, string Row, string Number, string PriceZone);

/// <summary>Why a hold operation failed; each becomes a problem-details <c>code</c>.</summary>
public static class HoldFailures
{
    public const string EventNotOnSale = "event_not_on_sale";

    /// <summary>No published event has this id (an unknown id, or a draft): 404, as <c>/availability</c> answers.</summary>
    public const string EventNotFound = "event_not_found";
    public const string SeatUnavailable = "seat_unavailable";
    public const string UnknownSeat = "unknown_seat";
    public const string NotEnoughSeats = "not_enough_seats";
    public const string SoldOut = "sold_out";
    public const string OrderLimit = "order_limit_exceeded";
    public const string AccountLimit = "account_limit_exceeded";
    public const string HoldNotFound = "hold_not_found";
    public const string HoldExpired = "hold_expired";
    public const string AlreadySold = "hold_already_sold";
    public const string InvalidRequest = "invalid_hold_request";
}

/// <summary>Seats went back on sale: a hold expired or was released (topic <see cref="Topic"/>).</summary>
public sealed record SeatsReleased(Guid EventId, Guid HoldId, IReadOnlyList<string> Seats, IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission,
    IReadOnlyList<string> PriceZones, string Reason, DateTimeOffset ReleasedAt)
{
    public const string Topic = "seats.released";
}

/// <summary>Seats were sold to an order (topic <see cref="Topic"/>).</summary>
public sealed record SeatsSold(Guid EventId, Guid HoldId, Guid OrderId, Guid BuyerId, IReadOnlyList<HeldSeat> Seats,
    IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission, DateTimeOffset SoldAt)
{
    public const string Topic = "seats.sold";
}

/// <summary>
/// A fan at the front of an event's waitlist got seats held for them when others released theirs (topic
/// <see cref="Topic"/>); they have until <see cref="ExpiresAt"/> to buy, then the seats pass to the next in line.
/// </summary>
public sealed record WaitlistOffered(Guid EventId, Guid FanId, Guid HoldId, IReadOnlyList<HeldSeat> Seats, DateTimeOffset ExpiresAt,
    IReadOnlyList<GeneralAdmissionQuantity>? GeneralAdmission = null)
{
    public const string Topic = "waitlist.offered";
}
