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

    /// <summary>The resold event's organizer (unknown for payouts scheduled before it was recorded and never posted).</summary>
    public Guid? OrganizerId { get; set; }

    /// <summary>The seller's connected account the payout went to, fixed when it was reserved.</summary>
    public string? AccountId { get; set; }
    public string? TransferId { get; set; }
    public string? FailureMessage { get; set; }
}

/// <summary>Where a seller's payout stands: scheduled (in escrow until due), withheld (its event was cancelled), pending (reserved, transfer under way), paid or failed.</summary>
public static class SellerPayoutStatuses
{
    public const string Scheduled = "scheduled";
    public const string Withheld = "withheld";
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Failed = "failed";
}
