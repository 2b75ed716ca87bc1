namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Settings of the embedded runtime, section <c>TicketToken:Embedded</c>.</summary>
public sealed class EmbeddedRuntimeOptions
{
    public const string Section = "TicketToken:Embedded";

    /// <summary>Delivery attempts per event and subscription before it is dead-lettered.</summary>
    public int DeliveryMaxAttempts { get; set; } = 10;

    public TimeSpan DeliveryInitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan DeliveryMaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Handlers running at once.</summary>
    public int DeliveryConcurrency { get; set; } = 64;

    /// <summary>Reminder callbacks running at once.</summary>
    public int ReminderConcurrency { get; set; } = 64;

    /// <summary>The longest the dispatcher and the reminder scheduler sleep without being woken.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often expired state is deleted (reads never return it either way).</summary>
    public TimeSpan TtlSweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
