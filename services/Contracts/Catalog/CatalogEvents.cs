namespace TicketToken.Contracts.Catalog;

/// <summary>
/// An event went on sale-ready: everything inventory needs to create its actors, in one message (topic
/// <see cref="Topic"/>). Seats are listed row by row in seat order, so adjacency is the list order; a section is
/// the unit of one inventory actor. Prices are integers in minor units of <see cref="Currency"/>.
/// Published again (with a higher <see cref="Version"/>) if the event is re-published; consumers keep the newest.
/// </summary>
public sealed record EventPublished(
    Guid EventId,
    Guid OrganizerId,
    Guid VenueId,
    string Name,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string TimeZone,
    string Currency,
    DateTimeOffset SalesStartAt,
    DateTimeOffset SalesEndAt,
    PurchaseLimits Limits,
    IReadOnlyList<PublishedSection> Sections,
    IReadOnlyList<PublishedTicketType> TicketTypes,
    ResalePolicy Resale,
    long Version)
{
    public const string Topic = "event.published";

    /// <summary>The venue's name, for what fans see of the event elsewhere (their tickets); absent in messages of older versions.</summary>
    public string? VenueName { get; init; }

    public string? VenueCity { get; init; }

    /// <summary>The venue's country (ISO 3166-1 alpha-2): the jurisdiction whose tax applies to the sale; absent in messages of older versions.</summary>
    public string? VenueCountry { get; init; }

    /// <summary>
    /// Whether the organizer lets tickets leave the app as wallet passes and printed PDFs, whose codes cannot rotate
    /// (Apple Wallet, the PDF) or are shown outside the app (Google Wallet). False: only the app's rotating code admits.
    /// Absent in messages of older versions, which means allowed.
    /// </summary>
    public bool WalletPassesAllowed { get; init; } = true;

    /// <summary>The seat map's price zones with the names and colours the organizer gave them, for the seat-map picture; absent in messages of older versions.</summary>
    public IReadOnlyList<PublishedPriceZone>? PriceZones { get; init; }

    /// <summary>The venue's street address as fans are shown it (line 1, line 2, postal code and city); absent in messages of older versions.</summary>
    public string? VenueAddress { get; init; }

    /// <summary>When doors open, if the organizer said so.</summary>
    public DateTimeOffset? DoorsAt { get; init; }

    /// <summary>
    /// What changed a published event to make this version (null for a publish). Versions of one event are numbered
    /// without gaps (every version is announced here), so a consumer that must see every change, not only the newest
    /// state, applies version n+1 only after n: it answers a gap with a retry (docs/adr/0026).
    /// </summary>
    public EventChange? Change { get; init; }
}

/// <summary>
/// One change of a published event (docs/adr/0026): <see cref="Kind"/> is one of the constants below. A reschedule
/// carries the old start and <see cref="RefundUntil"/>: until then a holder of a ticket bought before the change may
/// have the order refunded.
/// </summary>
public sealed record EventChange(string Kind, DateTimeOffset ChangedAt, string? Reason)
{
    public const string Rescheduled = "rescheduled";
    public const string VenueDetails = "venue_details";
    public const string Capacity = "capacity";
    public const string Prices = "prices";

    public DateTimeOffset? PreviousStartsAt { get; init; }

    public DateTimeOffset? RefundUntil { get; init; }
}

/// <summary>A price zone of the seat map: its code (what <see cref="PublishedSeat.PriceZone"/> names), name and colour (<c>#rrggbb</c>).</summary>
public sealed record PublishedPriceZone(string Code, string Name, string Colour);

/// <summary>How many tickets one order and one account may have for the event.</summary>
public sealed record PurchaseLimits(int PerOrder, int PerAccount);

/// <summary>One block of reserved seats (one inventory actor). <see cref="Code"/> is unique within the event.</summary>
public sealed record PublishedSection(string Code, string Name, IReadOnlyList<PublishedRow> Rows);

/// <summary>A row; <see cref="Index"/> orders rows from the best (0, nearest the stage) backwards.</summary>
public sealed record PublishedRow(string Label, int Index, IReadOnlyList<PublishedSeat> Seats);

/// <summary>
/// A seat. <see cref="Id"/> is stable and unique within the event (<c>{section}-{row}-{number}</c>);
/// <see cref="Blocked"/> seats are never sold (kills, camera positions, and seats of a price zone the event sells no
/// ticket type for).
/// </summary>
public sealed record PublishedSeat(string Id, string Number, string PriceZone, bool Accessible, bool Companion, bool Blocked, double X, double Y);

/// <summary>
/// What can be bought: reserved seats of one price zone (<see cref="PriceZone"/> set), or general admission
/// with a <see cref="Capacity"/> (one inventory actor per general-admission type).
/// </summary>
public sealed record PublishedTicketType(Guid Id, string Name, string Kind, string? PriceZone, int? Capacity, long PriceMinor)
{
    public const string Reserved = "reserved";
    public const string GeneralAdmission = "general_admission";

    /// <summary>
    /// Where a ticket of this type may enter (one of <see cref="AccessZones"/>); absent in messages of older versions,
    /// which means <see cref="AccessZones.GeneralAdmission"/>.
    /// </summary>
    public string? AccessZone { get; init; }
}

/// <summary>
/// The entry zones, nested: a ticket for a zone enters that zone and every zone it contains
/// (BACKSTAGE ⊃ VIP ⊃ GA, DESIGN.md section 4, "Entry").
/// </summary>
public static class AccessZones
{
    public const string GeneralAdmission = "GA";
    public const string Vip = "VIP";
    public const string Backstage = "BACKSTAGE";

    public static readonly IReadOnlyList<string> All = [GeneralAdmission, Vip, Backstage];

    /// <summary>The zone's depth: GA 0, VIP 1, BACKSTAGE 2; -1 for anything else.</summary>
    public static int Rank(string? zone) => zone switch
    {
        GeneralAdmission => 0,
        Vip => 1,
        Backstage => 2,
        _ => -1,
    };

    /// <summary>Whether a ticket for <paramref name="ticketZone"/> may enter <paramref name="gateZone"/>.</summary>
    public static bool Admits(string ticketZone, string gateZone) => Rank(ticketZone) >= 0 && Rank(gateZone) >= 0 && Rank(ticketZone) >= Rank(gateZone);
}

/// <summary>Whether tickets of the event may be resold, at most at what share of face value, and the royalty.</summary>
public sealed record ResalePolicy(bool Allowed, int? PriceCapPercent, int RoyaltyBasisPoints)
{
    /// <summary>How long after buying a ticket a fan waits before listing it; null: the marketplace's platform default.</summary>
    public int? ListingCooldownMinutes { get; init; }

    /// <summary>How many tickets of the event one fan may resell (open, reserved or sold listings); null: the platform default.</summary>
    public int? MaxListingsPerFan { get; init; }
}

/// <summary>
/// An event was cancelled (topic <see cref="Topic"/>); holds end, nothing more is sold, tickets are cancelled and every
/// paid order is refunded. <see cref="FeePolicy"/>: <see cref="RefundFees"/> (the buyer gets everything back) or
/// <see cref="KeepFees"/> (the platform's fees and the tax on them stay paid).
/// </summary>
public sealed record EventCancelled(Guid EventId, Guid OrganizerId, string Reason, DateTimeOffset CancelledAt, string FeePolicy = EventCancelled.RefundFees)
{
    public const string Topic = "event.cancelled";
    public const string RefundFees = "refund";
    public const string KeepFees = "keep";
}
