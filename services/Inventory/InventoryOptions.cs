namespace TicketToken.Inventory;

/// <summary>Settings of the inventory module, section <c>TicketToken:Inventory</c>.</summary>
public sealed class InventoryOptions
{
    public const string Section = "TicketToken:Inventory";

    /// <summary>How long a hold lasts before its seats go back on sale.</summary>
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a hold can live, however often it is extended.</summary>
    public TimeSpan MaximumHoldLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Fault injection for crash tests, never set in production: once this many hold answers, at least one of them a hold,
    /// have been sent by this process, every further answer to a hold request waits forever instead of being sent (the
    /// actors still decide and commit it). A test that kills the host "mid-storm" then knows that answers are still
    /// outstanding however fast or slow the machine is, instead of hoping its kill outruns the storm.
    /// </summary>
    public int? ParkHoldAnswersAfter { get; set; }
}
