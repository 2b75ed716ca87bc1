using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Minting;

/// <summary>Every failure of the minting module a client can act on, with its stable <c>code</c>.</summary>
internal static class MintingProblems
{
    public static ProblemHttpResult TicketNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "ticket_not_found", "There is no such ticket among yours.");

    public static ProblemHttpResult TokenNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "token_not_found", "No ticket's token has this mint address.");
}
