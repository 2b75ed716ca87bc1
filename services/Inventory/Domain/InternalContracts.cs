using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Inventory.Domain;

// Actors only this module calls: other modules go through IBuyerHoldsActor, which keeps holds all-or-nothing
// and limits per account.

/// <summary>One event's inventory plan: what is for sale, when, and within which limits.</summary>
public interface IEventInventoryActor : IActor
{
    Task InitializeAsync(EventPublished published);

    Task CancelAsync(EventCancelled cancelled);

    Task<EventPlan?> GetPlanAsync();
}

/// <summary>The reserved seats of one section of one event.</summary>
public interface ISeatSectionActor : IActor
{
    Task InitializeAsync(SectionLayout layout);

    Task<SectionHoldResult> HoldSeatsAsync(HoldSpecificSeats request);

    Task<SectionHoldResult> HoldBestAsync(HoldBestSeats request);

    Task<SectionHoldResult> ExtendAsync(ExtendPart request);

    Task<IReadOnlyList<string>> ReleaseAsync(ReleasePart request);

    Task<SectionHoldResult> CommitAsync(CommitPart request);

    /// <summary>Sold seats of that order (the listed ones, or all) become available again; answers the seats returned.</summary>
    Task<IReadOnlyList<string>> ReturnAsync(ReturnPart request);

    /// <summary>Undoes <see cref="CommitAsync"/> for that order when another part of the hold could not be committed.</summary>
    Task UncommitAsync(CommitPart request);

    Task CancelAsync(CancelSales request);

    Task<SectionStatus> GetStatusAsync();

    /// <summary>Counts per price zone only: what availability needs, without every seat.</summary>
    Task<IReadOnlyList<ZoneCount>> GetZoneCountsAsync();
}

/// <summary>The general-admission places of one ticket type of one event.</summary>
public interface IGeneralAdmissionActor : IActor
{
    Task InitializeAsync(GeneralAdmissionLayout layout);

    Task<GeneralAdmissionHoldResult> HoldAsync(HoldPlaces request);

    Task<GeneralAdmissionHoldResult> ExtendAsync(ExtendPart request);

    Task<int> ReleaseAsync(ReleasePart request);

    Task<GeneralAdmissionHoldResult> CommitAsync(CommitPart request);

    /// <summary>Places sold to that order (the quantity, or all) become available again; answers how many were returned.</summary>
    Task<int> ReturnAsync(ReturnPart request);

    /// <summary>Undoes <see cref="CommitAsync"/> for that order when another part of the hold could not be committed.</summary>
    Task UncommitAsync(CommitPart request);

    Task CancelAsync(CancelSales request);

    Task<GeneralAdmissionStatus> GetStatusAsync();
}

/// <summary>An event's waitlist.</summary>
public interface IWaitlistActor : IActor
{
    Task<WaitlistPosition> JoinAsync(JoinWaitlist request);

    Task<bool> LeaveAsync(FanRef fan);

    Task<WaitlistPosition?> GetAsync(FanRef fan);

    Task OnSeatsReleasedAsync(SeatsReleased released);

    Task OnSeatsSoldAsync(SeatsSold sold);
}

/// <summary><see cref="TicketTypeId"/>: places of that general-admission type; else seats, of <see cref="PriceZone"/> if given.</summary>
public sealed record JoinWaitlist(Guid FanId, string? PriceZone, int Quantity, Guid? TicketTypeId = null);

public sealed record FanRef(Guid FanId);

/// <summary>
/// A fan's place on the waitlist: <c>waiting</c> (with <see cref="Position"/>, 1 = next), <c>offered</c> (seats are
/// held for them as <see cref="HoldId"/> until <see cref="OfferExpiresAt"/>), <c>lapsed</c> or <c>purchased</c>.
/// </summary>
public sealed record WaitlistPosition(Guid FanId, string Status, int? Position, string? PriceZone, int Quantity, DateTimeOffset JoinedAt, Guid? HoldId, DateTimeOffset? OfferExpiresAt,
    Guid? TicketTypeId = null);

public sealed record EventPlan(Guid EventId, Guid OrganizerId, string Name, bool Cancelled, DateTimeOffset SalesStartAt, DateTimeOffset SalesEndAt,
    PurchaseLimits Limits, IReadOnlyList<PlannedSection> Sections, IReadOnlyList<PublishedTicketType> TicketTypes, long Version,
    string? Currency = null, IReadOnlyList<PublishedPriceZone>? PriceZones = null);

public sealed record PlannedSection(string Code, string Name, IReadOnlyList<string> PriceZones);

public sealed record SectionLayout(Guid EventId, string Code, string Name, IReadOnlyList<PublishedRow> Rows, long Version);

public sealed record GeneralAdmissionLayout(Guid EventId, Guid TicketTypeId, string Name, int Capacity, long Version);

public sealed record HoldSpecificSeats(Guid HoldId, Guid BuyerId, IReadOnlyList<string> SeatIds, DateTimeOffset ExpiresAt);

/// <summary>The best N adjacent seats for a hold; <c>SpecificSeats</c> are the seats the same hold took here by id, which are not part of this answer.</summary>
public sealed record HoldBestSeats(Guid HoldId, Guid BuyerId, int Quantity, string? PriceZone, DateTimeOffset ExpiresAt, IReadOnlyList<string>? SpecificSeats = null);

public sealed record HoldPlaces(Guid HoldId, Guid BuyerId, int Quantity, DateTimeOffset ExpiresAt);

public sealed record ExtendPart(Guid HoldId, DateTimeOffset ExpiresAt);

public sealed record ReleasePart(Guid HoldId, string Reason);

public sealed record CommitPart(Guid HoldId, Guid OrderId);

/// <summary>What goes back of a sold part: <see cref="SeatIds"/> (sections) or <see cref="Quantity"/> (general admission), or all of it when null.</summary>
public sealed record ReturnPart(Guid HoldId, Guid OrderId, IReadOnlyList<string>? SeatIds, int? Quantity);

public sealed record CancelSales(string Reason);

public sealed record SectionHoldResult(IReadOnlyList<HeldSeat> Seats, string? Failure, IReadOnlyList<string> Conflicts)
{
    public bool Succeeded => Failure is null;
}

public sealed record GeneralAdmissionHoldResult(int Quantity, string? Failure, int Remaining)
{
    public bool Succeeded => Failure is null;
}

public sealed record SectionStatus(string Code, string Name, IReadOnlyList<ZoneCount> Zones, IReadOnlyList<SeatState> Seats);

public sealed record ZoneCount(string PriceZone, int Available, int Held, int Sold, int Blocked);

/// <summary>A seat as the seat-map picture draws it: <c>available</c>, <c>held</c>, <c>sold</c> or <c>blocked</c>.</summary>
public sealed record SeatState(string Id, string Row, string Number, string PriceZone, double X, double Y, string Status, bool Accessible, bool Companion = false);

public sealed record GeneralAdmissionStatus(Guid TicketTypeId, string Name, int Capacity, int Available, int Held, int Sold);
