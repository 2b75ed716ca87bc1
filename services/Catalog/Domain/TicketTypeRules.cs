using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Domain;

/// <summary>
/// What a ticket type sells: reserved seats of one price zone of the event's seat map (the seats decide how many), or
/// general admission with a capacity of its own.
/// </summary>
public static class TicketTypeRules
{
    public const string Reserved = PublishedTicketType.Reserved;
    public const string GeneralAdmission = PublishedTicketType.GeneralAdmission;

    /// <summary>Refuses a kind, price zone and capacity that do not fit together or do not fit the event's seat map.</summary>
    /// <param name="kind"><see cref="Reserved"/> or <see cref="GeneralAdmission"/>.</param>
    /// <param name="priceZone">The zone whose seats a reserved type sells.</param>
    /// <param name="capacity">How many a general-admission type sells.</param>
    /// <param name="zones">The price zones of the event's seat map; null for an event without one.</param>
    /// <param name="accessZone">Where its tickets enter, one of <see cref="AccessZones.All"/>; null means <see cref="AccessZones.GeneralAdmission"/>.</param>
    public static void Check(string kind, string? priceZone, int? capacity, IReadOnlySet<string>? zones, string? accessZone)
    {
        if (accessZone is not null && AccessZones.Rank(accessZone) < 0)
        {
            throw CatalogProblems.InvalidAccessZone(accessZone);
        }

        if (kind == Reserved)
        {
            if (zones is null)
            {
                throw CatalogProblems.NoSeatMap();
            }

            if (priceZone is null)
            {
                throw CatalogProblems.InvalidTicketType("A reserved ticket type names the priceZone whose seats it sells.");
            }

            if (!zones.Contains(priceZone))
            {
                throw CatalogProblems.UnknownPriceZone(priceZone);
            }

            if (capacity is not null)
            {
                throw CatalogProblems.InvalidTicketType("Reserved seating sells the seats of its zone; capacity is for general admission.");
            }
        }
        else
        {
            if (priceZone is not null)
            {
                throw CatalogProblems.InvalidTicketType("General admission has no price zone.");
            }

            if (capacity is null)
            {
                throw CatalogProblems.InvalidTicketType("General admission needs a capacity.");
            }
        }
    }
}
