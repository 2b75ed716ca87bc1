using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Apis;

// Reads: finding announced events (and an organizer's own) and reading one, as each caller may see it.
public static partial class EventsApi
{
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

    /// <summary>Announced events (and announced ones that were cancelled) are public; the rest only the organizer's staff see.</summary>
    internal static bool IsVisible(Event @event, Caller caller) =>
        EventLifecycle.IsPublic(@event.Status)
        || (@event.Status == EventStatus.Cancelled && @event.PublishedAt is not null)
        || (!caller.IsDevice && caller.WorksFor(@event.OrganizerId));

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
