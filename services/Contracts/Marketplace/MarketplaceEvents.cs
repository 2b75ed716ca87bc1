namespace TicketToken.Contracts.Marketplace;

/// <summary>
/// A resale completed (topic <see cref="Topic"/>): the buyer paid <see cref="Price"/> into escrow and the ticket was reissued
/// to them. The ledger posts the split from it: <see cref="SellerShare"/> + <see cref="PlatformFee"/> + <see cref="Royalty"/>
/// = <see cref="Price"/>, the royalty owed to the event's organizer, the seller's share held in escrow until
/// <see cref="PayoutDueAt"/> (after the event), so that a cancelled event can still refund the buyer. Money in minor units.
/// </summary>
public sealed record ResaleCompleted(Guid ResaleId, Guid ListingId, Guid TicketId, Guid EventId, Guid OrganizerId, Guid SellerId, Guid BuyerId, string Currency,
    long Price, long SellerShare, long PlatformFee, long Royalty, long ProcessorFee, string PaymentIntentId, DateTimeOffset PayoutDueAt, DateTimeOffset CompletedAt)
{
    public const string Topic = "marketplace.resale-completed";
}

/// <summary>
/// A completed resale was refunded to its buyer because its event was cancelled (topic <see cref="Topic"/>): the ledger
/// reverses the resale's split (the buyer gets the whole <see cref="Price"/> back out of escrow, royalty and platform fee)
/// and the seller's payout is withheld. Money in minor units.
/// </summary>
public sealed record ResaleRefunded(Guid ResaleId, Guid EventId, Guid OrganizerId, Guid SellerId, Guid BuyerId, string Currency, long Price, long SellerShare,
    long PlatformFee, long Royalty, string Reason, DateTimeOffset RefundedAt)
{
    public const string Topic = "marketplace.resale-refunded";
}
