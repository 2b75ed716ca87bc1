using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Apis;

// Drafting: creating an event (or a series) and editing a draft, with the checks both apply.
public static partial class EventsApi
{
    private const int SchedulingHorizonYears = 10;

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

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
