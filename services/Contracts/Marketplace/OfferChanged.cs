namespace TicketToken.Contracts.Marketplace;

/// <summary>
/// Something happened to an offer on a resale listing (topic <see cref="Topic"/>): a buyer made it, the seller countered
/// or declined it, or one side accepted it (the buyer then pays <see cref="Price"/> by <see cref="PayBy"/> in resale
/// <see cref="ResaleId"/>). <see cref="ActorId"/> is the fan who acted; the other side is the one to tell. Money in minor units.
/// </summary>
public sealed record OfferChanged(Guid OfferId, Guid ListingId, Guid EventId, Guid OrganizerId, Guid SellerId, Guid BuyerId, Guid ActorId, string Kind, long Price,
    long AskingPrice, string Currency, DateTimeOffset ExpiresAt, Guid? ResaleId, DateTimeOffset? PayBy, DateTimeOffset At)
{
    public const string Topic = "marketplace.offer-changed";

    public const string Made = "made";
    public const string Countered = "countered";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
}
