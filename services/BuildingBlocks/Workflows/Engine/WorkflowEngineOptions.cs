namespace TicketToken.BuildingBlocks.Workflows.Engine;

public sealed class WorkflowEngineOptions
{
    /// <summary>
    /// How long an activity may run before the engine assumes its process died and runs it again.
    /// An activity interrupted by a crash restarts within this time after the instance's host is back.
    /// </summary>
    public TimeSpan ActivityLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Activities that may run at once in this process.</summary>
    public int MaxConcurrentActivities { get; set; } = 256;
}
