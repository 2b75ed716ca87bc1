using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

/// <summary>
/// Events: created as drafts (one, or a series from a recurrence rule), published (inventory is told everything it
/// sells in one event.published message), put on sale, completed or cancelled. Announced events are public; drafts
/// are seen only by the organizer's staff, and anyone else gets 404.
/// </summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events").WithTags("Events");
        group.MapPost("/", CreateEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CreateEvent")
            .WithSummary("Creates a draft event, or with a recurrence rule a series of dated drafts computed on the venue's wall clock.")
            .WithJsonRequestExamples(CatalogExamples.CreateEvent, CatalogExamples.CreateRecurringEvent);
        // Anonymous by design: browsing announced events is public (DESIGN.md section 6); drafts appear only to their organizer's staff.
        group.MapGet("/", ListEvents).AllowAnonymous().WithName("ListEvents")
            .WithSummary("Finds announced events by text, dates, city and category, ordered by start (cursor pagination); with organizerId or seriesId, the organizer's staff also see drafts and cancelled events.");
        // Anonymous by design: an announced event's page is public; a draft is answered 404 to all but the organizer's staff.
        group.MapGet("/{eventId:guid}", GetEvent).AllowAnonymous().WithName("GetEvent").WithSummary("Reads an event.");
        // Anonymous by design: the picture is public. Inventory draws it (it knows each seat's status); the event's
        // address for it lives here, under the event, and redirects there.
        group.MapGet("/{eventId:guid}/seatmap.svg", (Guid eventId) => TypedResults.Redirect($"/api/inventory/events/{eventId}/seatmap.svg"))
            .AllowAnonymous().WithName("GetEventSeatMapPicture")
            .WithSummary("The event's seat map as an SVG picture coloured by seat status (a redirect to inventory, which draws it).");
        group.MapPatch("/{eventId:guid}", UpdateEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("UpdateEvent")
            .WithSummary("Changes a draft event's name, description, category, times, sales window, currency, limits or resale policy.");
        group.MapPost("/{eventId:guid}/publish", PublishEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("PublishEvent")
            .WithSummary("Announces the event and tells inventory its seats and ticket types (event.published); publishing again re-announces it with a higher version.");
        group.MapPost("/{eventId:guid}/open-sales", OpenSales).RequireAuthorization(Policies.OrganizerAdmin).WithName("OpenEventSales")
            .WithSummary("Puts a published event on sale.");
        group.MapPost("/{eventId:guid}/complete", CompleteEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CompleteEvent")
            .WithSummary("Marks an event on sale as having taken place (once it has started).");
        group.MapPost("/{eventId:guid}/cancel", CancelEvent).RequireAuthorization(Policies.OrganizerAdmin).WithName("CancelEvent")
            .WithSummary("Cancels an event that has not completed; an announced one is withdrawn with event.cancelled.")
            .WithJsonRequestExample(CatalogExamples.CancelEvent);
        return group;
    }

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

    private const int SchedulingHorizonYears = 10;
    private const string CategoryPattern = "^[A-Za-z0-9][A-Za-z0-9 &/_-]{0,49}$";
    private static readonly LimitsRequest DefaultLimits = new(10, 10);
    private static readonly ResaleRequest DefaultResale = new(false, null, 0);

    private static async Task<Results<Created<EventResponse>, Created<SeriesResponse>>> CreateEvent(CreateEventRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var organizerId = request.OrganizerId!.Value;
        if (!caller.Administers(organizerId))
        {
            throw CatalogProblems.OrganizerNotFound();
        }

        var venue = await db.Venues.AsNoTracking().SingleOrDefaultAsync(v => v.Id == request.VenueId && v.OrganizerId == organizerId, cancellationToken)
            ?? throw CatalogProblems.VenueNotFound();
        var zones = await ZonesAsync(db, venue.Id, request.SeatMapId, cancellationToken);
        var ticketTypes = request.TicketTypes ?? [];
        foreach (var ticketType in ticketTypes)
        {
            TicketTypeRules.Check(ticketType.Kind, ticketType.PriceZone, ticketType.Capacity, zones, ticketType.AccessZone);
        }

        if (ticketTypes.GroupBy(t => t.Name.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } sameName)
        {
            throw CatalogProblems.TicketTypeNameTaken(sameName.Key);
        }

        if (ticketTypes.Where(t => t.PriceZone is not null).GroupBy(t => t.PriceZone).FirstOrDefault(g => g.Count() > 1) is { } sameZone)
        {
            throw CatalogProblems.PriceZoneTaken(sameZone.Key!);
        }

        var now = time.GetUtcNow();
        var template = new Event
        {
            OrganizerId = organizerId,
            VenueId = venue.Id,
            SeatMapId = request.SeatMapId,
            Name = request.Name.Trim(),
            Description = NullIfBlank(request.Description),
            Category = request.Category?.Trim().ToLowerInvariant(),
            StartsAt = request.StartsAt!.Value.ToUniversalTime(),
            EndsAt = request.EndsAt!.Value.ToUniversalTime(),
            SalesStartAt = (request.SalesStartAt ?? now).ToUniversalTime(),
            SalesEndAt = (request.SalesEndAt ?? request.StartsAt.Value).ToUniversalTime(),
            Currency = request.Currency,
            WalletPassesAllowed = request.WalletPassesAllowed ?? true,
            Status = EventStatus.Draft,
            CreatedAt = now,
            UpdatedAt = now,
        };
        SetLimits(template, request.Limits ?? DefaultLimits);
        SetResale(template, request.Resale ?? DefaultResale);
        CheckTimes(template, now);

        if (request.Recurrence is null)
        {
            var single = Occurrence(template, template.StartsAt, salesStartFollows: request.SalesStartAt is not null);
            AddWithTicketTypes(db, single, ticketTypes, now);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"/api/events/{single.Id}", ToResponse(single, venue));
        }

        var rule = new RecurrenceRule(ParseFrequency(request.Recurrence.Frequency), request.Recurrence.Interval ?? 1, request.Recurrence.Count,
            request.Recurrence.Until, ParseWeekDays(request.Recurrence.ByWeekDay));
        var starts = Recurrence.Occurrences(template.StartsAt, IanaTimeZones.Find(venue.TimeZone), rule);
        var seriesId = Guid.CreateVersion7();
        var events = new List<Event>(starts.Count);
        foreach (var start in starts)
        {
            var occurrence = Occurrence(template, start, salesStartFollows: request.SalesStartAt is not null);
            occurrence.SeriesId = seriesId;
            CheckTimes(occurrence, now);
            AddWithTicketTypes(db, occurrence, ticketTypes, now);
            events.Add(occurrence);
        }

        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/events?seriesId={seriesId}",
            new SeriesResponse(seriesId, events.Count, events.Select(e => ToResponse(e, venue)).ToList()));
    }

    private static async Task<Ok<Page<EventResponse>>> ListEvents([AsParameters] EventFilter filter, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(filter.Limit);
        var query = from e in db.Events.AsNoTracking()
                    join v in db.Venues.AsNoTracking() on e.VenueId equals v.Id
                    select new { Event = e, Venue = v };

        if (filter.OrganizerId is { } organizerId)
        {
            query = query.Where(r => r.Event.OrganizerId == organizerId);
        }

        if (filter.SeriesId is { } seriesId)
        {
            query = query.Where(r => r.Event.SeriesId == seriesId);
        }

        // The public sees announced events; an organizer's own list (by organizer or series) also shows its staff the rest.
        var ownList = filter.OrganizerId is not null || filter.SeriesId is not null;
        var staffOf = caller.IsDevice ? [] : caller.StaffOrganizers.ToArray();
        if (!(ownList && caller.IsPlatformAdmin))
        {
            query = query.Where(r => r.Event.Status == EventStatus.Published || r.Event.Status == EventStatus.OnSale || r.Event.Status == EventStatus.Completed
                || (ownList && staffOf.Contains(r.Event.OrganizerId)));
        }

        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            var pattern = $"%{EscapeLike(filter.Text.Trim())}%";
            query = query.Where(r => EF.Functions.ILike(r.Event.Name, pattern, "\\")
                || (r.Event.Description != null && EF.Functions.ILike(r.Event.Description, pattern, "\\")));
        }

        if (filter.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            query = query.Where(r => r.Event.StartsAt >= fromUtc);
        }

        if (filter.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            query = query.Where(r => r.Event.StartsAt < toUtc);
        }

        if (!string.IsNullOrWhiteSpace(filter.City))
        {
            var city = EscapeLike(filter.City.Trim());
            query = query.Where(r => EF.Functions.ILike(r.Venue.City, city, "\\"));
        }

        if (!string.IsNullOrWhiteSpace(filter.Category))
        {
            var category = filter.Category.Trim().ToLowerInvariant();
            query = query.Where(r => r.Event.Category == category);
        }

        if (PageCursor.Decode(filter.Cursor) is var (at, after))
        {
            query = query.Where(r => r.Event.StartsAt > at || (r.Event.StartsAt == at && r.Event.Id.CompareTo(after) > 0));
        }

        var rows = await query.OrderBy(r => r.Event.StartsAt).ThenBy(r => r.Event.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, r => (r.Event.StartsAt, r.Event.Id), r => ToResponse(r.Event, r.Venue)));
    }

    private static async Task<Ok<EventResponse>> GetEvent(Guid eventId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var row = await (from e in db.Events.AsNoTracking()
                         join v in db.Venues.AsNoTracking() on e.VenueId equals v.Id
                         where e.Id == eventId
                         select new { Event = e, Venue = v }).SingleOrDefaultAsync(cancellationToken);
        return row is not null && IsVisible(row.Event, caller) ? TypedResults.Ok(ToResponse(row.Event, row.Venue)) : throw CatalogProblems.EventNotFound();
    }

    private static async Task<Ok<EventResponse>> UpdateEvent(Guid eventId, UpdateEventRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await LockAdministeredAsync(db, caller, eventId, cancellationToken);
        if (@event.Status != EventStatus.Draft)
        {
            throw CatalogProblems.EventNotDraft();
        }

        var now = time.GetUtcNow();
        @event.Name = request.Name?.Trim() ?? @event.Name;
        @event.Description = request.Description is null ? @event.Description : NullIfBlank(request.Description);
        @event.Category = request.Category?.Trim().ToLowerInvariant() ?? @event.Category;
        @event.StartsAt = request.StartsAt?.ToUniversalTime() ?? @event.StartsAt;
        @event.EndsAt = request.EndsAt?.ToUniversalTime() ?? @event.EndsAt;
        @event.SalesStartAt = request.SalesStartAt?.ToUniversalTime() ?? @event.SalesStartAt;
        @event.SalesEndAt = request.SalesEndAt?.ToUniversalTime() ?? @event.SalesEndAt;
        @event.Currency = request.Currency ?? @event.Currency;
        @event.WalletPassesAllowed = request.WalletPassesAllowed ?? @event.WalletPassesAllowed;
        if (request.Limits is { } limits)
        {
            SetLimits(@event, limits);
        }

        if (request.Resale is { } resale)
        {
            SetResale(@event, resale);
        }

        CheckTimes(@event, now);
        @event.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(@event, await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken)));
    }

    private static async Task<Ok<EventResponse>> PublishEvent(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await LockAdministeredAsync(db, caller, eventId, cancellationToken);
        var status = EventLifecycle.Publish(@event.Status);
        var now = time.GetUtcNow();
        var ticketTypes = await db.TicketTypes.AsNoTracking().Where(t => t.EventId == eventId)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        if (ticketTypes.Count == 0)
        {
            throw CatalogProblems.NoTicketTypes();
        }

        if (@event.SalesEndAt <= now)
        {
            throw CatalogProblems.SalesWindowClosed();
        }

        var venue = await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken);
        var layout = await LayoutAsync(db, @event, cancellationToken);
        CheckSellable(layout, ticketTypes, venue);

        @event.Status = status;
        @event.PublishedAt ??= now;
        @event.Version++;
        @event.UpdatedAt = now;
        db.Publish(EventPublished.Topic, Announcement(@event, venue, layout, ticketTypes, change: null));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(@event, venue));
    }

    /// <summary>The event's seat map (empty without one), read under a share lock: it cannot be replaced before the announcement commits.</summary>
    internal static async Task<SeatMapLayout> LayoutAsync(CatalogDbContext db, Event @event, CancellationToken cancellationToken)
    {
        if (@event.SeatMapId is not { } seatMapId)
        {
            return new SeatMapLayout([], []);
        }

        await db.Database.ExecuteSqlAsync($"select 1 from catalog.seat_maps where id = {seatMapId} for share", cancellationToken);
        return await SeatMapStore.ReadAsync(db, seatMapId, cancellationToken);
    }

    /// <summary>Every reserved type has seats to sell, and all the event sells fits the venue.</summary>
    internal static void CheckSellable(SeatMapLayout layout, IReadOnlyList<TicketType> ticketTypes, Venue venue)
    {
        var sellableSeats = layout.Sections.SelectMany(s => s.Rows).SelectMany(r => r.Seats).Where(s => !s.Blocked)
            .GroupBy(s => s.Zone).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        long sellable = 0;
        foreach (var ticketType in ticketTypes)
        {
            if (ticketType.Kind == TicketTypeRules.Reserved)
            {
                sellable += sellableSeats.GetValueOrDefault(ticketType.PriceZone!) is var seats and > 0 ? seats : throw CatalogProblems.ZoneHasNoSeats(ticketType.PriceZone!);
            }
            else
            {
                sellable += ticketType.Capacity!.Value;
            }
        }

        if (sellable > venue.Capacity)
        {
            throw CatalogProblems.OverCapacity(sellable, venue.Capacity);
        }
    }

    /// <summary>
    /// The whole event as its current version, what every consumer keeps; <paramref name="change"/> says what made it, when
    /// a change did. A seat of a price zone the event sells no ticket type for has no price here: it is announced blocked,
    /// so that inventory never holds what checkout cannot price (a new ticket type for the zone announces it unblocked).
    /// </summary>
    internal static EventPublished Announcement(Event @event, Venue venue, SeatMapLayout layout, IReadOnlyList<TicketType> ticketTypes, EventChange? change)
    {
        var pricedZones = ticketTypes.Where(t => t.Kind == TicketTypeRules.Reserved).Select(t => t.PriceZone!).ToHashSet(StringComparer.Ordinal);
        return Announce(@event, venue, layout, ticketTypes, change, pricedZones);
    }

    private static EventPublished Announce(Event @event, Venue venue, SeatMapLayout layout, IReadOnlyList<TicketType> ticketTypes, EventChange? change,
        HashSet<string> pricedZones) => new(
        @event.Id, @event.OrganizerId, @event.VenueId, @event.Name, @event.StartsAt, @event.EndsAt, venue.TimeZone, @event.Currency,
        @event.SalesStartAt, @event.SalesEndAt, new PurchaseLimits(@event.PerOrderLimit, @event.PerAccountLimit),
        layout.Sections.Select(section => new PublishedSection(section.Code, section.Name, section.Rows
            .Select(row => new PublishedRow(row.Label, row.Index, row.Seats
                .Select(seat => new PublishedSeat(SeatMapRules.SeatId(section.Code, row.Label, seat.Number), seat.Number, seat.Zone,
                    seat.Accessible, seat.Companion, seat.Blocked || !pricedZones.Contains(seat.Zone), seat.X, seat.Y))
                .ToList()))
            .ToList()))
        .ToList(),
        ticketTypes.Select(t => new PublishedTicketType(t.Id, t.Name, t.Kind, t.PriceZone, t.Capacity, t.PriceMinor) { AccessZone = t.AccessZone }).ToList(),
        new ResalePolicy(@event.ResaleAllowed, @event.ResalePriceCapPercent, @event.ResaleRoyaltyBasisPoints)
        {
            ListingCooldownMinutes = @event.ResaleListingCooldownMinutes, MaxListingsPerFan = @event.ResaleMaxListingsPerFan,
        },
        @event.Version)
    {
        VenueName = @event.VenueName ?? venue.Name, VenueCity = venue.City, VenueCountry = venue.Country, WalletPassesAllowed = @event.WalletPassesAllowed,
        PriceZones = [.. layout.Zones.Select(z => new PublishedPriceZone(z.Code, z.Name, z.Colour))],
        VenueAddress = AddressOf(@event, venue), DoorsAt = @event.DoorsAt, Change = change,
    };

    internal static string AddressOf(Event @event, Venue venue) =>
        @event.VenueAddress ?? string.Join(", ", new[] { venue.AddressLine1, venue.AddressLine2, $"{venue.PostalCode} {venue.City}" }.Where(p => !string.IsNullOrWhiteSpace(p)));

    private static Task<Ok<EventResponse>> OpenSales(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, _) => @event.Status = EventLifecycle.OpenSales(@event.Status), cancellationToken);

    private static Task<Ok<EventResponse>> CompleteEvent(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, now) =>
        {
            var status = EventLifecycle.Complete(@event.Status);
            @event.Status = now >= @event.StartsAt ? status : throw CatalogProblems.EventNotStarted();
        }, cancellationToken);

    private static Task<Ok<EventResponse>> CancelEvent(Guid eventId, CancelEventRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, now) =>
        {
            @event.Status = EventLifecycle.Cancel(@event.Status);
            @event.CancelledAt = now;
            @event.CancellationReason = request.Reason.Trim();
            // Only an announced event has anything downstream (inventory, holds, tickets) to withdraw.
            if (@event.PublishedAt is not null)
            {
                db.Publish(EventCancelled.Topic, new EventCancelled(@event.Id, @event.OrganizerId, @event.CancellationReason, now, request.FeePolicy ?? EventCancelled.RefundFees));
            }
        }, cancellationToken);

    private static async Task<Ok<EventResponse>> TransitionAsync(CatalogDbContext db, Caller caller, Guid eventId, TimeProvider time,
        Action<Event, DateTimeOffset> transition, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await LockAdministeredAsync(db, caller, eventId, cancellationToken);
        var now = time.GetUtcNow();
        transition(@event, now);
        @event.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(@event, await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken)));
    }

    /// <summary>
    /// The event, tracked and locked until the transaction ends (publishing, transitions and ticket type changes of one
    /// event take turns), if the caller administers its organizer; otherwise 404.
    /// </summary>
    internal static async Task<Event> LockAdministeredAsync(CatalogDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var locked = await db.Events.FromSql($"select * from catalog.events where id = {eventId} for update").ToListAsync(cancellationToken);
        return locked is [var @event] && caller.Administers(@event.OrganizerId) ? @event : throw CatalogProblems.EventNotFound();
    }

    /// <summary>Announced events (and announced ones that were cancelled) are public; the rest only the organizer's staff see.</summary>
    internal static bool IsVisible(Event @event, Caller caller) =>
        EventLifecycle.IsPublic(@event.Status)
        || (@event.Status == EventStatus.Cancelled && @event.PublishedAt is not null)
        || (!caller.IsDevice && caller.WorksFor(@event.OrganizerId));

    /// <summary>The price zones of the seat map an event is to use (which must belong to its venue); null without one.</summary>
    private static async Task<IReadOnlySet<string>?> ZonesAsync(CatalogDbContext db, Guid venueId, Guid? seatMapId, CancellationToken cancellationToken)
    {
        if (seatMapId is not { } id)
        {
            return null;
        }

        if (!await db.SeatMaps.AnyAsync(m => m.Id == id && m.VenueId == venueId, cancellationToken))
        {
            throw CatalogProblems.SeatMapNotFound();
        }

        return (await db.PriceZones.Where(z => z.SeatMapId == id).Select(z => z.Code).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A copy of the template starting at <paramref name="start"/>; its end and sales window keep their distance to the start.</summary>
    private static Event Occurrence(Event template, DateTimeOffset start, bool salesStartFollows)
    {
        var shift = start - template.StartsAt;
        return new Event
        {
            Id = Guid.CreateVersion7(),
            OrganizerId = template.OrganizerId,
            VenueId = template.VenueId,
            SeatMapId = template.SeatMapId,
            Name = template.Name,
            Description = template.Description,
            Category = template.Category,
            StartsAt = start,
            EndsAt = template.EndsAt + shift,
            // A sales start that was given moves with each occurrence; the default (now) opens them all at once.
            SalesStartAt = salesStartFollows ? template.SalesStartAt + shift : template.SalesStartAt,
            SalesEndAt = template.SalesEndAt + shift,
            Currency = template.Currency,
            PerOrderLimit = template.PerOrderLimit,
            PerAccountLimit = template.PerAccountLimit,
            ResaleAllowed = template.ResaleAllowed,
            ResalePriceCapPercent = template.ResalePriceCapPercent,
            ResaleRoyaltyBasisPoints = template.ResaleRoyaltyBasisPoints,
            ResaleListingCooldownMinutes = template.ResaleListingCooldownMinutes,
            ResaleMaxListingsPerFan = template.ResaleMaxListingsPerFan,
            WalletPassesAllowed = template.WalletPassesAllowed,
            Status = EventStatus.Draft,
            CreatedAt = template.CreatedAt,
            UpdatedAt = template.UpdatedAt,
        };
    }

    private static void AddWithTicketTypes(CatalogDbContext db, Event @event, IReadOnlyList<TicketTypesApi.CreateTicketTypeRequest> ticketTypes, DateTimeOffset now)
    {
        db.Events.Add(@event);
        foreach (var (request, i) in ticketTypes.Select((t, i) => (t, i)))
        {
            // Creation order is the order ticket types are listed in; a microsecond apart keeps it in PostgreSQL.
            db.TicketTypes.Add(TicketTypesApi.NewTicketType(@event.Id, request, now.AddTicks(i * 10)));
        }
    }

    internal static void CheckTimes(Event @event, DateTimeOffset now)
    {
        if (@event.EndsAt <= @event.StartsAt)
        {
            throw CatalogProblems.InvalidEventTimes("endsAt must be after startsAt.");
        }

        if (@event.StartsAt <= now)
        {
            throw CatalogProblems.InvalidEventTimes("startsAt is in the past.");
        }

        if (@event.EndsAt > now.AddYears(SchedulingHorizonYears))
        {
            throw CatalogProblems.InvalidEventTimes($"Events are scheduled at most {SchedulingHorizonYears} years ahead.");
        }

        if (@event.SalesEndAt <= @event.SalesStartAt)
        {
            throw CatalogProblems.InvalidSalesWindow("salesStartAt must be before salesEndAt.");
        }

        if (@event.SalesEndAt > @event.EndsAt)
        {
            throw CatalogProblems.InvalidSalesWindow("Sales must end by the end of the event (salesEndAt ≤ endsAt).");
        }
    }

    private static void SetLimits(Event @event, LimitsRequest limits)
    {
        if (limits.PerOrder is < 1 or > 100 || limits.PerAccount > 1000 || limits.PerOrder > limits.PerAccount)
        {
            throw CatalogProblems.InvalidLimits();
        }

        @event.PerOrderLimit = limits.PerOrder;
        @event.PerAccountLimit = limits.PerAccount;
    }

    private static void SetResale(Event @event, ResaleRequest resale)
    {
        if (resale.RoyaltyBasisPoints is < 0 or > 10_000 || resale.PriceCapPercent is < 1 or > 1000
            || resale.ListingCooldownMinutes is < 0 or > ResaleRequest.MaxListingCooldownMinutes || resale.MaxListingsPerFan is < 1 or > 1000)
        {
            throw CatalogProblems.InvalidResalePolicy();
        }

        @event.ResaleAllowed = resale.Allowed;
        @event.ResalePriceCapPercent = resale.PriceCapPercent;
        @event.ResaleRoyaltyBasisPoints = resale.RoyaltyBasisPoints;
        @event.ResaleListingCooldownMinutes = resale.ListingCooldownMinutes;
        @event.ResaleMaxListingsPerFan = resale.MaxListingsPerFan;
    }

    private static RecurrenceFrequency ParseFrequency(string frequency) => frequency switch
    {
        "daily" => RecurrenceFrequency.Daily,
        "weekly" => RecurrenceFrequency.Weekly,
        _ => RecurrenceFrequency.Monthly,
    };

    private static List<DayOfWeek> ParseWeekDays(IReadOnlyList<string>? days) => (days ?? []).Select(day => day.Trim().ToLowerInvariant() switch
    {
        "mo" or "monday" => DayOfWeek.Monday,
        "tu" or "tuesday" => DayOfWeek.Tuesday,
        "we" or "wednesday" => DayOfWeek.Wednesday,
        "th" or "thursday" => DayOfWeek.Thursday,
        "fr" or "friday" => DayOfWeek.Friday,
        "sa" or "saturday" => DayOfWeek.Saturday,
        "su" or "sunday" => DayOfWeek.Sunday,
        _ => throw CatalogProblems.InvalidRecurrence($"'{day}' is not a day of the week; use MO, TU, WE, TH, FR, SA, SU or the English names."),
    }).ToList();

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    internal static EventResponse ToResponse(Event e, Venue venue) => new(
        e.Id, e.OrganizerId, e.SeriesId, e.SeatMapId, new VenueSummary(venue.Id, venue.Name, venue.City, venue.Country, venue.TimeZone),
        e.Name, e.Description, e.Category, e.StartsAt, e.EndsAt, e.SalesStartAt, e.SalesEndAt, e.Currency,
        new LimitsResponse(e.PerOrderLimit, e.PerAccountLimit), new ResaleResponse(e.ResaleAllowed, e.ResalePriceCapPercent, e.ResaleRoyaltyBasisPoints,
            e.ResaleListingCooldownMinutes, e.ResaleMaxListingsPerFan),
        EventLifecycle.Name(e.Status), e.Version, e.CreatedAt, e.PublishedAt, e.CancelledAt, e.CancellationReason, e.WalletPassesAllowed)
    {
        VenueName = e.VenueName ?? venue.Name, VenueAddress = AddressOf(e, venue), DoorsAt = e.DoorsAt,
    };
}
