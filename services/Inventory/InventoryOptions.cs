namespace TicketToken.Inventory;

/// <summary>Settings of the inventory module, section <c>TicketToken:Inventory</c>.</summary>
public sealed class InventoryOptions
{
    public const string Section = "TicketToken:Inventory";

    /// <summary>How long a hold lasts before its seats go back on sale.</summary>
    public TimeSpan HoldDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a hold can live, however often it is extended.</summary>
    public TimeSpan MaximumHoldLifetime { get; set; } = TimeSpan.FromMinutes(30);
}
