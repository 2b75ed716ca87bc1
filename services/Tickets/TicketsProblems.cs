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
}
