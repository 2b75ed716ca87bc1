using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Minting;

/// <summary>Every failure of the minting module a client can act on, with its stable <c>code</c>.</summary>
internal static class MintingProblems
{
    public static ProblemException TicketNotFound() =>
        new(StatusCodes.Status404NotFound, "ticket_not_found", "There is no such ticket among yours.");

    public static ProblemException WalletNotFound() =>
        new(StatusCodes.Status404NotFound, "wallet_not_found", "You have no custodial wallet with this address.",
            "Your wallet's address is in the record of any of your tickets (GET /api/minting/tickets/{ticketId}).");

    /// <summary>The step-up check of a wallet export failed: the code says why, and every case is fixed by re-authenticating.</summary>
    public static ProblemException Reauthentication(ReauthenticationOutcome outcome) => outcome switch
    {
        ReauthenticationOutcome.Expired => new(StatusCodes.Status401Unauthorized, "reauthentication_expired",
            "The re-authentication proof is older than 5 minutes.", ReauthenticateHint),
        ReauthenticationOutcome.Invalid => new(StatusCodes.Status401Unauthorized, "reauthentication_invalid",
            "The re-authentication proof is not one identity issued.", ReauthenticateHint),
        ReauthenticationOutcome.Mismatch => new(StatusCodes.Status403Forbidden, "reauthentication_mismatch",
            "The re-authentication proof belongs to another account or session.", ReauthenticateHint),
        _ => new(StatusCodes.Status401Unauthorized, "reauthentication_required",
            "Exporting a wallet's key needs a fresh re-authentication.", ReauthenticateHint),
    };

    public static ProblemException TokenNotFound() =>
        new(StatusCodes.Status404NotFound, "token_not_found", "No ticket's token has this mint address.");

    /// <summary>Too many export attempts of a fan or from an address: <c>Retry-After</c> says when the window lets one through again.</summary>
    public static ProblemException TooManyExportAttempts(int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, "too_many_attempts", "Too many wallet export attempts.", $"Try again in {Math.Max(1, retryAfterSeconds / 60)} minute(s).")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    private const string ReauthenticateHint =
        "Prove who you are with POST /api/auth/reauthenticate (password, and the second factor when MFA is on), then send its proof as reauthenticationProof within 5 minutes.";
}
