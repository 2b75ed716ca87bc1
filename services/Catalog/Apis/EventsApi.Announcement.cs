using Microsoft.EntityFrameworkCore;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

// What inventory is told: the event with its seat map and ticket types, as one event.published message.
public static partial class EventsApi
{
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
        layout.Project(
            (section, rows) => new PublishedSection(section.Code, section.Name, rows),
            (row, seats) => new PublishedRow(row.Label, row.Index, seats),
            (id, seat) => new PublishedSeat(id, seat.Number, seat.Zone, seat.Accessible, seat.Companion, seat.Blocked || !pricedZones.Contains(seat.Zone), seat.X, seat.Y)),
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
}
