using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Catalog.Data;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Actors;

/// <summary>Answers who owns a venue; it keeps no state, so every answer is what the catalog's table says now.</summary>
public sealed class VenueActor(ActorHost host, CatalogDbContext db) : Actor(host), IVenueActor
{
    public async Task<VenueOwner?> GetOwnerAsync() =>
        Guid.TryParseExact(Id.Id, "N", out var venueId)
            ? await db.Venues.AsNoTracking().Where(v => v.Id == venueId).Select(v => new VenueOwner(v.Id, v.OrganizerId)).SingleOrDefaultAsync()
            : null;
}
