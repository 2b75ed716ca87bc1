using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Apis;

// The request and response shapes of the events routes; nested in EventsApi, which names them in the OpenAPI document.
public static partial class EventsApi
{
    public sealed record LimitsRequest([property: Range(1, 100)] int PerOrder, [property: Range(1, 1000)] int PerAccount);

    /// <summary>
    /// <see cref="ListingCooldownMinutes"/>: how long after buying a ticket a fan waits before listing it (at most 30 days);
    /// <see cref="MaxListingsPerFan"/>: how many tickets of the event one fan may resell. Unset: the platform's defaults.
    /// </summary>
    public sealed record ResaleRequest(bool Allowed, [property: Range(1, 1000)] int? PriceCapPercent, [property: Range(0, 10_000)] int RoyaltyBasisPoints)
    {
        [Range(0, MaxListingCooldownMinutes)]
        public int? ListingCooldownMinutes { get; init; }

        [Range(1, 1000)]
        public int? MaxListingsPerFan { get; init; }

        public const int MaxListingCooldownMinutes = 43_200;
    }

    /// <summary>
    /// Repeats the event every <see cref="Interval"/> days, weeks or months, <see cref="Count"/> times or until the venue's
    /// local date <see cref="Until"/> (at most 366 occurrences); weekly rules may name days (<c>MO</c> … <c>SU</c> or <c>monday</c> …).
    /// </summary>
    public sealed record RecurrenceRequest(
        [property: Required, AllowedValues("daily", "weekly", "monthly")] string Frequency,
        [property: Range(1, 52)] int? Interval,
        [property: Range(1, Recurrence.MaximumOccurrences)] int? Count,
        DateOnly? Until,
        [property: MaxLength(7)] IReadOnlyList<string>? ByWeekDay);

    public sealed record CreateEventRequest(
        [property: Required] Guid? OrganizerId,
        [property: Required] Guid? VenueId,
        Guid? SeatMapId,
        [property: Required, StringLength(200, MinimumLength = 2)] string Name,
        [property: StringLength(5000)] string? Description,
        [property: RegularExpression(CategoryPattern)] string? Category,
        [property: Required] DateTimeOffset? StartsAt,
        [property: Required] DateTimeOffset? EndsAt,
        DateTimeOffset? SalesStartAt,
        DateTimeOffset? SalesEndAt,
        [property: Required, RegularExpression("^[A-Z]{3}$")] string Currency,
        LimitsRequest? Limits,
        ResaleRequest? Resale,
        RecurrenceRequest? Recurrence,
        [property: MaxLength(50)] IReadOnlyList<TicketTypesApi.CreateTicketTypeRequest>? TicketTypes,
        bool? WalletPassesAllowed = null);

    public sealed record UpdateEventRequest(
        [property: StringLength(200, MinimumLength = 2)] string? Name,
        [property: StringLength(5000)] string? Description,
        [property: RegularExpression(CategoryPattern)] string? Category,
        DateTimeOffset? StartsAt,
        DateTimeOffset? EndsAt,
        DateTimeOffset? SalesStartAt,
        DateTimeOffset? SalesEndAt,
        [property: RegularExpression("^[A-Z]{3}$")] string? Currency,
        LimitsRequest? Limits,
        ResaleRequest? Resale,
        bool? WalletPassesAllowed = null);

    /// <summary><see cref="FeePolicy"/>: <c>refund</c> (the default: buyers get everything back) or <c>keep</c> (the platform's fees stay paid).</summary>
    public sealed record CancelEventRequest([property: Required, StringLength(500, MinimumLength = 1)] string Reason,
        [property: RegularExpression("^(refund|keep)$")] string? FeePolicy = null);

    /// <summary>The filters of <c>GET /api/events</c>.</summary>
    public sealed class EventFilter
    {
        /// <summary>Text to find in the name or description, ignoring case.</summary>
        [FromQuery(Name = "q"), StringLength(100)]
        public string? Text { get; init; }

        /// <summary>Events starting at or after this instant.</summary>
        [FromQuery(Name = "from")]
        public DateTimeOffset? From { get; init; }

        /// <summary>Events starting before this instant.</summary>
        [FromQuery(Name = "to")]
        public DateTimeOffset? To { get; init; }

        /// <summary>The venue's city, ignoring case.</summary>
        [FromQuery(Name = "city"), StringLength(100)]
        public string? City { get; init; }

        [FromQuery(Name = "category"), StringLength(50)]
        public string? Category { get; init; }

        /// <summary>One organizer's events; its staff also see drafts and cancelled events.</summary>
        [FromQuery(Name = "organizerId")]
        public Guid? OrganizerId { get; init; }

        /// <summary>The occurrences of one series; the organizer's staff also see drafts and cancelled ones.</summary>
        [FromQuery(Name = "seriesId")]
        public Guid? SeriesId { get; init; }

        [FromQuery(Name = "cursor")]
        public string? Cursor { get; init; }

        [FromQuery(Name = "limit")]
        public int? Limit { get; init; }
    }

    public sealed record VenueSummary(Guid Id, string Name, string City, string Country, string TimeZone);

    public sealed record LimitsResponse(int PerOrder, int PerAccount);

    public sealed record ResaleResponse(bool Allowed, int? PriceCapPercent, int RoyaltyBasisPoints, int? ListingCooldownMinutes, int? MaxListingsPerFan);

    public sealed record EventResponse(
        Guid Id, Guid OrganizerId, Guid? SeriesId, Guid? SeatMapId, VenueSummary Venue, string Name, string? Description, string? Category,
        DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset SalesStartAt, DateTimeOffset SalesEndAt, string Currency,
        LimitsResponse Limits, ResaleResponse Resale, string Status, long Version,
        DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt, DateTimeOffset? CancelledAt, string? CancellationReason, bool WalletPassesAllowed)
    {
        /// <summary>The venue's name as fans are shown it for this event (the organizer may have changed it after publishing).</summary>
        public string? VenueName { get; init; }

        public string? VenueAddress { get; init; }

        /// <summary>When doors open, if the organizer said so.</summary>
        public DateTimeOffset? DoorsAt { get; init; }
    }

    public sealed record SeriesResponse(Guid SeriesId, int Count, IReadOnlyList<EventResponse> Events);

    private const string CategoryPattern = "^[A-Za-z0-9][A-Za-z0-9 &/_-]{0,49}$";
}
