using System.Globalization;
using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Payments;

namespace TicketToken.Marketplace;

/// <summary>Every failure of the marketplace a client can act on, with its stable <c>code</c>.</summary>
internal static class MarketplaceProblems
{
    // 404: another fan's ticket, listing or resale is answered exactly like one that does not exist.
    public static ProblemException TicketNotFound() => new(StatusCodes.Status404NotFound, "ticket_not_found", "There is no such ticket among yours.");

    public static ProblemException ListingNotFound() => new(StatusCodes.Status404NotFound, "listing_not_found", "There is no such listing.");

    public static ProblemException ResaleNotFound() => new(StatusCodes.Status404NotFound, "resale_not_found", "There is no such resale of yours.");

    public static ProblemException OfferNotFound() => new(StatusCodes.Status404NotFound, "offer_not_found", "There is no such offer of yours.");

    public static ProblemException OrganizerNotFound() => new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException EventNotFound() => new(StatusCodes.Status404NotFound, "event_not_found", "There is no such event of this organizer.");

    // 400 / 422: the request itself is wrong.
    public static void RequireIdempotencyKey([System.Diagnostics.CodeAnalysis.NotNull] string? key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "idempotency_key_required", "A purchase needs an Idempotency-Key header of at most 200 characters.",
                "Send a unique value per purchase (a UUID) and the same value when retrying it, so a retry never buys twice.");
        }
    }

    public static ProblemException PriceAboveCap(long cap, string currency) =>
        new(StatusCodes.Status422UnprocessableEntity, "price_above_cap",
            $"The price is above this ticket's resale cap of {cap.ToString(CultureInfo.InvariantCulture)} (minor units of {currency}).",
            $"The cap is {cap.ToString(CultureInfo.InvariantCulture)} {currency} minor units: what the ticket cost, lowered by the event's and the jurisdiction's resale rules. List it at that or less.");

    public static ProblemException OfferNotBelowAskingPrice(long asking, string currency) =>
        new(StatusCodes.Status422UnprocessableEntity, "offer_not_below_asking_price",
            $"An offer is below the asking price of {asking.ToString(CultureInfo.InvariantCulture)} (minor units of {currency}).",
            "At the asking price, buy the listing instead.");

    public static ProblemException CounterOutOfRange(long offered, long cap, string currency) =>
        new(StatusCodes.Status422UnprocessableEntity, "counter_out_of_range",
            $"A counter is above the offer of {offered.ToString(CultureInfo.InvariantCulture)} and at most the cap of {cap.ToString(CultureInfo.InvariantCulture)} (minor units of {currency}).");

    // 409: the state of things says no.
    public static ProblemException OfferNotOpen(string status, string action) =>
        new(StatusCodes.Status409Conflict, "offer_not_open", $"The offer is {status}: it cannot be {action} now.",
            status is "pending" or "countered" ? "It is the other side's turn to answer it." : "Make a new offer, or buy the listing.");

    public static ProblemException OfferExists() =>
        new(StatusCodes.Status409Conflict, "offer_exists", "You already have an open offer on this listing.", "Withdraw it, or wait for the seller's answer.");

    public static ProblemException OwnOffer() => new(StatusCodes.Status409Conflict, "own_listing", "You cannot make an offer on your own listing.");

    public static ProblemException ResaleNotAllowed() =>
        new(StatusCodes.Status409Conflict, "resale_not_allowed", "The event's organizer does not allow its tickets to be resold.", "You may still give the ticket away.");

    public static ProblemException EventNotKnown() =>
        new(StatusCodes.Status409Conflict, "resale_not_open", "Resale of this event is not open (yet).", "The event may not be announced here yet: try again in a moment.");

    public static ProblemException ResaleWindowClosed() =>
        new(StatusCodes.Status409Conflict, "resale_window_closed", "The event has started or was cancelled: its tickets can no longer be resold.");

    public static ProblemException SellerOnboardingRequired(string status) =>
        new(StatusCodes.Status409Conflict, "seller_onboarding_required", "Only sellers with a verified payout account can list tickets.",
            $"Your payout account is {status.Replace('_', ' ')}. Start or finish onboarding at POST {SellerAccounts.OnboardingPath}, then list again.");

    public static ProblemException TicketNotListable(string reason) =>
        new(StatusCodes.Status409Conflict, "ticket_not_listable", "This ticket cannot be listed.", reason switch
        {
            "ticket_not_active" => "Only an active ticket can be listed.",
            "ticket_locked" => "It is already listed, or locked by support.",
            "transfer_pending" => "A gift of it is pending: cancel it first.",
            "event_closed" => "The event has started or was cancelled.",
            _ => reason,
        });

    public static ProblemException PassTicketNotSeparable() =>
        new(StatusCodes.Status409Conflict, "pass_ticket_not_separable", "This ticket is one event of a pass; a pass is not resold by the event.",
            "A pass can be given away whole (a gift with wholePass), not listed one event at a time.");

    public static ProblemException TooManyListings(int limit) =>
        new(StatusCodes.Status429TooManyRequests, "listing_limit_reached", $"You have {limit} open listings, the most allowed.", "Withdraw one, or wait until one sells.");

    public static ProblemException TooManyListingsOfEvent(int limit) =>
        new(StatusCodes.Status429TooManyRequests, "event_listing_limit_reached", "You cannot resell more tickets of this event.",
            $"You have listed {limit} tickets of this event, the most one fan may resell.");

    public static ProblemException ListingCooldown(DateTimeOffset listableFrom) =>
        new(StatusCodes.Status409Conflict, "listing_cooldown", "This ticket was bought too recently to be listed.",
            $"A ticket can be listed only some time after it was bought: this one from {listableFrom.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}.");

    public static ProblemException ListingNotActive(string status) =>
        new(StatusCodes.Status409Conflict, "listing_not_active", $"The listing is {status}; only an active listing can be changed or withdrawn.");

    public static ProblemException ListingUnavailable(string status) =>
        new(StatusCodes.Status409Conflict, "listing_unavailable", $"The listing is {status}: another buyer has it, or it is no longer for sale.",
            status == ListingStatusReserved ? "Another buyer is paying for it; it comes back on sale if they do not pay in time." : "Look for another listing.");

    public static ProblemException OwnListing() => new(StatusCodes.Status409Conflict, "own_listing", "This is your own listing.");

    public static ProblemException IdempotencyKeyReused() =>
        new(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for a different purchase.", "Use a new key for a new purchase.");

    private const string ListingStatusReserved = "reserved";
}
