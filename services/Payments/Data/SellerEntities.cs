namespace TicketToken.Payments.Data;

/// <summary>A fan's connected account for the payouts of their resales.</summary>
public sealed class SellerAccount
{
    public Guid UserId { get; set; }
    public required string Gateway { get; set; }
    public required string AccountId { get; set; }
    public bool DetailsSubmitted { get; set; }
    public bool PayoutsEnabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The seller's share of one resale, held in escrow until <see cref="DueAt"/>.</summary>
public sealed class SellerPayout
{
    public Guid ResaleId { get; set; }
    public Guid SellerId { get; set; }
    public Guid EventId { get; set; }
    public required string Currency { get; set; }
    public long Amount { get; set; }
    public required string Status { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
