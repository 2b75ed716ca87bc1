using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Queue;

/// <summary>Every failure of the queue a client can act on, with its stable <c>code</c>.</summary>
internal static class QueueProblems
{
    // 404: an event of another organizer, or one that is not queued, is answered like one that does not exist.
    public static ProblemException QueueNotFound() =>
        new(StatusCodes.Status404NotFound, "queue_not_found", "This event has no waiting room.", "Hold seats directly: its on-sale is not queued.");

    public static ProblemException NotInQueue() =>
        new(StatusCodes.Status404NotFound, "not_in_queue", "You have no place in this queue.", "Join it with POST /api/queue/events/{eventId}/entries.");

    public static ProblemException EventNotFound() => new(StatusCodes.Status404NotFound, "event_not_found", "There is no such event of this organizer.");

    // 409: the state of things says no.
    public static ProblemException AlreadyOpen() =>
        new(StatusCodes.Status409Conflict, "queue_already_open", "The queue has opened; its opening time can no longer change.",
            "Change the wave size, interval or admission validity instead.");

    // 422: the settings contradict each other.
    public static ProblemException InvalidScores() =>
        new(StatusCodes.Status422UnprocessableEntity, "invalid_risk_scores", "The refusal score must not be below the delay score.");
}
