using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.BuildingBlocks.Workflows.Admin;

/// <summary>Every failure of the workflow admin API an operator can act on, with its stable <c>code</c>.</summary>
internal static class WorkflowAdminProblems
{
    public static ProblemException InvalidLimit() => new(StatusCodes.Status400BadRequest, "invalid_limit", $"limit is between 1 and {PageCursor.MaximumLimit}.");

    public static ProblemException InvalidCursor() =>
        new(StatusCodes.Status400BadRequest, "invalid_cursor", "The cursor is not one this API gave out.", "Pass the nextCursor of the previous page unchanged.");

    public static ProblemException WorkflowNotFound(string instanceId) =>
        new(StatusCodes.Status404NotFound, "workflow_not_found", $"No workflow instance '{instanceId}' exists.");

    public static ProblemException WorkflowRunning() =>
        new(StatusCodes.Status409Conflict, "workflow_running", "The instance is still running.", "Terminate it first, then purge it.");
}
