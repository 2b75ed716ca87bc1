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

    public static ProblemException PassTicketNotSeparable() =>
        new(StatusCodes.Status409Conflict, "pass_ticket_not_separable", "The ticket is one event of a pass; a pass is given away whole.",
            "Give the whole pass: start the transfer with \"wholePass\": true.");

    public static ProblemException NotAPass() =>
        new(StatusCodes.Status422UnprocessableEntity, "ticket_not_of_pass", "The ticket is not part of a pass.", "Leave out wholePass to give this ticket.");

    public static ProblemException TicketLocked(string reason) =>
        new(StatusCodes.Status409Conflict, "ticket_locked", $"The ticket is locked ({reason}) and cannot be given away.",
            reason == Contracts.Tickets.TicketLockReasons.Listing ? "It is listed for resale: withdraw the listing first." : "Contact support.");

    public static ProblemException IdempotencyKeyRequired() =>
        new(StatusCodes.Status400BadRequest, "idempotency_key_required", "A reissue needs an Idempotency-Key header (1 to 200 characters).",
            "Send a new unique value per reissue, and the same value when retrying it.");

    public static ProblemException HeldForPickup() =>
        new(StatusCodes.Status409Conflict, "ticket_held_for_pickup", "The ticket is held for pickup at the box office and has no code until it is released there.",
            "Bring an ID to the box office; the ticket is released to you after the check.");

    public static ProblemException ReissueRefused(string reason) =>
        new(StatusCodes.Status409Conflict, reason == Contracts.Tickets.TicketLockReasons.Listing ? "ticket_locked" : "ticket_not_reissuable",
            reason == Contracts.Tickets.TicketLockReasons.Listing ? "The ticket is listed for resale: withdraw the listing before reissuing it."
                : $"Only an active ticket of an event that was not cancelled can be reissued; this one is {reason}.");

    public static ProblemException OrganizerNotFound() => new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    /// <summary>Support could not lock the ticket: <paramref name="failure"/> is one of <see cref="Contracts.Tickets.TicketLockFailures"/>, its code here.</summary>
    public static ProblemException SupportLockRefused(string failure, string? lockReason) => failure switch
    {
        Contracts.Tickets.TicketLockFailures.Locked => new(StatusCodes.Status409Conflict, "ticket_locked", $"The ticket is already locked ({lockReason}).",
            lockReason == Contracts.Tickets.TicketLockReasons.Listing ? "It is listed for resale: its seller (or the marketplace) withdraws the listing first." : null),
        Contracts.Tickets.TicketLockFailures.TransferPending => new(StatusCodes.Status409Conflict, "transfer_pending", "A gift of the ticket is pending.",
            "Lock it once the gift is accepted, cancelled or expired."),
        Contracts.Tickets.TicketLockFailures.EventClosed => new(StatusCodes.Status409Conflict, "event_closed", "The ticket's event was cancelled."),
        _ => new(StatusCodes.Status409Conflict, "ticket_not_active", "Only an active ticket can be locked.", "A used, refunded or revoked ticket does not admit anyway."),
    };

    public static ProblemException TicketNotSupportLocked() =>
        new(StatusCodes.Status409Conflict, "ticket_not_locked", "Support has not locked this ticket.", "A ticket listed for resale is unlocked by withdrawing the listing.");

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

    // What fans carry: the PDF and the wallet passes.
    public static ProblemException PdfUnavailable(string? directory) =>
        new(StatusCodes.Status503ServiceUnavailable, "pdf_unavailable", "Tickets cannot be printed right now: the PDF's fonts are missing on this server.",
            $"The operator installs DejaVu Sans (Debian's fonts-dejavu-core) in {directory ?? "TicketToken:Tickets:PdfFontDirectory"}.");

    public static ProblemException WalletNotOffered(string wallet) =>
        new(StatusCodes.Status409Conflict, "wallet_not_offered", $"{wallet} passes are not offered here.", "Show the ticket's code in the app, or print the PDF.");

    public static ProblemException WalletPassesNotAllowed() =>
        new(StatusCodes.Status409Conflict, "wallet_passes_not_allowed", "The event's organizer admits only the app's rotating code, so this ticket cannot be added to a wallet.");

    // A wallet link from an e-mail: anything that is not a genuine, unexpired link is answered alike.
    public static ProblemException WalletLinkInvalid() =>
        new(StatusCodes.Status404NotFound, "wallet_link_invalid", "This link is not valid, or has expired.", "Open the ticket in the app to add it to your wallet.");

    public static ProblemException WalletLinkVoid() =>
        new(StatusCodes.Status410Gone, "wallet_link_void", "The ticket has changed hands or been reissued since this link was sent, so its pass would admit nobody.");

    // Apple's pass web service: Wallet sends the pass's own token; a wrong one, or a pass we never made, is the same 401.
    public static ProblemException ApplePassUnauthorized() =>
        new(StatusCodes.Status401Unauthorized, "apple_pass_unauthorized", "The pass's authentication token is wrong, or the pass is not one of ours.");

    public static ProblemException InvalidDevice() =>
        new(StatusCodes.Status400BadRequest, "invalid_device", $"A device library identifier is at most 128 letters, digits, '-' or '_'.");

    public static ProblemException PassNotFound() =>
        new(StatusCodes.Status404NotFound, "pass_not_found", "There is no such pass.");
}
