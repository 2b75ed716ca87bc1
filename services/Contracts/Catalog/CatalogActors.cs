using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Contracts.Catalog;

/// <summary>Actor types of the catalog module that other modules call, and how their ids are made.</summary>
public static class CatalogActors
{
    public const string Venue = "Venue";

    public static ActorId VenueId(Guid venueId) => new(venueId.ToString("N"));
}

/// <summary>
/// One venue, as another module that is handed a venue id must check it (one actor per venue): identity registers scanner
/// devices for a venue, and an organizer may only name its own.
/// </summary>
public interface IVenueActor : IActor
{
    /// <summary>Who owns the venue; null when catalog has no venue with this id.</summary>
    Task<VenueOwner?> GetOwnerAsync();
}

public sealed record VenueOwner(Guid VenueId, Guid OrganizerId);
