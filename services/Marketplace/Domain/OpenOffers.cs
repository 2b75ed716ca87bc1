using Microsoft.EntityFrameworkCore;
using TicketToken.Marketplace.Data;

namespace TicketToken.Marketplace.Domain;

/// <summary>A listing that is no longer on sale (withdrawn, sold, expired, its event cancelled) takes its open offers with it.</summary>
public static class OpenOffers
{
    public static Task<int> VoidAsync(MarketplaceDbContext db, Guid listingId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Offers.Where(o => o.ListingId == listingId && (o.Status == OfferStatuses.Pending || o.Status == OfferStatuses.Countered))
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Void).SetProperty(x => x.UpdatedAt, now), cancellationToken);

    public static Task<int> VoidOfEventAsync(MarketplaceDbContext db, Guid eventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Offers.Where(o => o.EventId == eventId && (o.Status == OfferStatuses.Pending || o.Status == OfferStatuses.Countered))
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.Status, OfferStatuses.Void).SetProperty(x => x.UpdatedAt, now), cancellationToken);
}
