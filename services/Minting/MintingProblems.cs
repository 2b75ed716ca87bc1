using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Minting;

/// <summary>Every failure of the minting module a client can act on, with its stable <c>code</c>.</summary>
internal static class MintingProblems
{
    public static ProblemHttpResult TicketNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "ticket_not_found", "There is no such ticket among yours.");

    public static ProblemHttpResult WalletNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "wallet_not_found", "You have no custodial wallet with this address.",
            "Your wallet's address is in the record of any of your tickets (GET /api/minting/tickets/{ticketId}).");

    /// <summary>The step-up check of a wallet export failed: the code says why, and every case is fixed by re-authenticating.</summary>
    public static ProblemHttpResult Reauthentication(ReauthenticationOutcome outcome) => outcome switch
    {
        ReauthenticationOutcome.Expired => Problems.Create(StatusCodes.Status401Unauthorized, "reauthentication_expired",
            "The re-authentication proof is older than 5 minutes.", ReauthenticateHint),
        ReauthenticationOutcome.Invalid => Problems.Create(StatusCodes.Status401Unauthorized, "reauthentication_invalid",
            "The re-authentication proof is not one identity issued.", ReauthenticateHint),
        ReauthenticationOutcome.Mismatch => Problems.Create(StatusCodes.Status403Forbidden, "reauthentication_mismatch",
            "The re-authentication proof belongs to another account or session.", ReauthenticateHint),
        _ => Problems.Create(StatusCodes.Status401Unauthorized, "reauthentication_required",
            "Exporting a wallet's key needs a fresh re-authentication.", ReauthenticateHint),
    };

    public static ProblemHttpResult TokenNotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "token_not_found", "No ticket's token has this mint address.");

    private const string ReauthenticateHint =
        "Prove who you are with POST /api/auth/reauthenticate (password, and the second factor when MFA is on), then send its proof as reauthenticationProof within 5 minutes.";
}
