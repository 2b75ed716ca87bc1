using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets;

/// <summary>Every failure of the tickets module a client can act on, with its stable <c>code</c>.</summary>
internal static class TicketsProblems
{
    // 404: another fan's ticket is answered exactly like one that does not exist.
    public static ProblemException TicketNotFound() =>
        new(StatusCodes.Status404NotFound, "ticket_not_found", "There is no such ticket among yours.");

    public static ProblemException TicketNotActive(TicketStatus status) =>
        new(StatusCodes.Status409Conflict, "ticket_not_active", $"The ticket is {TicketLifecycle.Name(status).Replace('_', ' ')}; only an active ticket has an entry code.",
            status == TicketStatus.Issued ? "The order is not confirmed yet; the code appears once it is." : null);

    // Transfers. Someone else's transfer, or one whose acceptance code is wrong, is answered exactly like one that does not exist.
    public static ProblemException TransferNotFound() =>
        new(StatusCodes.Status404NotFound, "transfer_not_found", "There is no such transfer for you.",
            "A transfer is accepted with the acceptance code its sender passed on; check the code.");

    public static ProblemException TicketNotTransferable(TicketStatus status) =>
        new(StatusCodes.Status409Conflict, "ticket_not_transferable", $"The ticket is {TicketLifecycle.Name(status).Replace('_', ' ')}; only an active ticket can be given away.");

    public static ProblemException TransferAlreadyPending() =>
        new(StatusCodes.Status409Conflict, "transfer_pending", "The ticket is already on its way to someone.", "Cancel that transfer first, or wait until it expires.");

    public static ProblemException TransferDeadlinePassed() =>
        new(StatusCodes.Status409Conflict, "transfer_deadline_passed", "The event has started; its tickets can no longer change hands.");

    public static ProblemException TransferLimitReached(int limit) =>
        new(StatusCodes.Status429TooManyRequests, "transfer_limit_reached", $"You have started {limit} transfers in the last 24 hours, the most allowed.");

    public static ProblemException TransferCooldown(DateTimeOffset until) =>
        new(StatusCodes.Status409Conflict, "transfer_cooldown", "The ticket was received as a gift too recently to pass on.",
            $"It can be passed on from {until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}.");

    public static ProblemException TransferExpired() =>
        new(StatusCodes.Status410Gone, "transfer_expired", "The transfer has expired.", "Ask the sender to start a new one.");

    public static ProblemException TransferNotPending(TransferStatus status) =>
        new(StatusCodes.Status409Conflict, "transfer_not_pending", $"The transfer is {Transfers.Name(status)}.");

    public static ProblemException OwnTransfer() =>
        new(StatusCodes.Status409Conflict, "own_transfer", "You sent this transfer; it is for someone else to accept.");
}
