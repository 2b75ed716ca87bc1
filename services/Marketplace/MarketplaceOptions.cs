namespace TicketToken.Marketplace;

/// <summary><c>TicketToken:Marketplace:*</c>. Shares are basis points (1/100 of a percent).</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "TicketToken:Marketplace";

    /// <summary>The platform's fee on a resale (seeds: 2.5 %); the venue's royalty is the event's policy, the seller gets the rest.</summary>
    public int PlatformFeeBasisPoints { get; set; } = 250;

    /// <summary>How long a buyer holds a listing to pay for it.</summary>
    public TimeSpan PaymentWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after the event's end the seller's share stays in escrow (a cancelled or disputed event can still refund the buyer).</summary>
    public TimeSpan EscrowAfterEvent { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Caps by jurisdiction (ISO 3166-1 alpha-2 of the venue's country): the highest resale price as a percentage of what
    /// the ticket cost its first buyer. The event's own policy can only lower it further.
    /// </summary>
    public Dictionary<string, int> JurisdictionCapPercent { get; set; } = [];

    /// <summary>How long an offer (or the seller's counter to it) stays open for the other side to answer.</summary>
    public TimeSpan OfferLifetime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How many open listings one fan may have at a time.</summary>
    public int MaxActiveListingsPerSeller { get; set; } = 20;

    /// <summary>
    /// Anti-scalping: how many tickets of one event a fan may resell (open, reserved or sold listings); none when unset.
    /// </summary>
    public int? MaxListingsPerSellerPerEvent { get; set; }

    /// <summary>
    /// Anti-scalping: how long after buying a ticket (its order's confirmation, or the resale that brought it) before it
    /// may be listed; none when zero.
    /// </summary>
    public TimeSpan ListingCooldownAfterPurchase { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Fault injection for crash tests, never set in production: every resale in this process stops after the buyer's
    /// payment is recorded and before the ticket is reissued (the moment where dying could leave the buyer with neither
    /// ticket nor money), so a test kills the host there by construction instead of guessing a moment.
    /// </summary>
    public bool StallBeforeReissue { get; set; }
}
