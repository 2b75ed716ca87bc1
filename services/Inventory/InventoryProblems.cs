using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Queue;

namespace TicketToken.Inventory;

/// <summary>Every failure of holds, availability and waitlists a client can act on, with its stable <c>code</c>.</summary>
internal static class InventoryProblems
{
    // 400 / 422: the request itself is wrong.
    public static ProblemException InvalidHoldRequest(string? detail) =>
        new(StatusCodes.Status400BadRequest, HoldFailures.InvalidRequest, "The hold request is not valid.", detail);

    public static ProblemException UnknownSeat(string? detail) =>
        new(StatusCodes.Status400BadRequest, HoldFailures.UnknownSeat, "The hold request is not valid.", detail);

    public static ProblemException UnknownPriceZone() => new(StatusCodes.Status400BadRequest, "unknown_price_zone", "The event has no such price zone.");

    public static ProblemException UnknownTicketType() =>
        new(StatusCodes.Status400BadRequest, "unknown_ticket_type", "The event has no such general-admission ticket type.",
            "Name a general-admission type of the event, and no price zone with it.");

    /// <summary><paramref name="code"/> is <see cref="HoldFailures.OrderLimit"/> or <see cref="HoldFailures.AccountLimit"/>.</summary>
    public static ProblemException OverPurchaseLimit(string code, string? detail) =>
        new(StatusCodes.Status422UnprocessableEntity, code, "Over the purchase limit.", detail);

    // 403: a queued on-sale sells only to fans its queue admitted (ADR 0020).
    public static ProblemException AdmissionRequired() =>
        new(StatusCodes.Status403Forbidden, Admissions.Required, "This on-sale is queued: holds need an admission from its queue.",
            $"Join the queue at /api/queue/events/{{eventId}}/entries and send the admission it gives you in the {Admissions.Header} header.");

    public static ProblemException AdmissionExpired() =>
        new(StatusCodes.Status403Forbidden, Admissions.Expired, "Your admission has expired.", "Admissions are short-lived; your turn has passed.");

    public static ProblemException AdmissionInvalid(string code = Admissions.Invalid) =>
        new(StatusCodes.Status403Forbidden, code, "This admission is not valid for you and this event.",
            "Send the admission the queue gave your own account for this event.");

    // 404: another fan's hold is answered exactly like one that does not exist.
    public static ProblemException HoldNotFound() =>
        new(StatusCodes.Status404NotFound, HoldFailures.HoldNotFound, "There is no such hold of yours.", "It may have expired or been released.");

    /// <summary>No published event has this id (an unknown id, or a draft).</summary>
    public static ProblemException EventNotFound(string? detail = "No published event has this id.") =>
        new(StatusCodes.Status404NotFound, HoldFailures.EventNotFound, "There is no such event.", detail);

    /// <summary>What availability answers for an id without a published event.</summary>
    public static ProblemException NoPublishedEvent() => new(StatusCodes.Status404NotFound, HoldFailures.EventNotFound, "No published event has this id.");

    public static ProblemException NotOnWaitlist() => new(StatusCodes.Status404NotFound, "not_on_waitlist", "You are not on this event's waitlist.");

    public static ProblemException NotWaiting() => new(StatusCodes.Status404NotFound, "not_on_waitlist", "You are not waiting on this event's waitlist.");

    // 409: the state of the seats says no.
    public static ProblemException SeatUnavailable(string? detail) => new(StatusCodes.Status409Conflict, HoldFailures.SeatUnavailable, "Some of these seats are taken.", detail);

    public static ProblemException NotEnoughSeats(string? detail) => new(StatusCodes.Status409Conflict, HoldFailures.NotEnoughSeats, "Not enough seats together there.", detail);

    public static ProblemException SoldOut(string? detail) => new(StatusCodes.Status409Conflict, HoldFailures.SoldOut, "Sold out.", detail);

    public static ProblemException EventNotOnSale(string? detail) => new(StatusCodes.Status409Conflict, HoldFailures.EventNotOnSale, "This event is not on sale.", detail);

    public static ProblemException NoWaitlist() => new(StatusCodes.Status409Conflict, HoldFailures.EventNotOnSale, "This event has no waitlist.", "It was cancelled.");

    /// <summary><paramref name="code"/> is <see cref="HoldFailures.HoldExpired"/> or <see cref="HoldFailures.AlreadySold"/>.</summary>
    public static ProblemException HoldFinal(string code, string? detail) => new(StatusCodes.Status409Conflict, code, "The hold can no longer change.", detail);

    /// <summary>The queue's refusal of an admission (its code) as the problem a fan sees.</summary>
    public static ProblemException AdmissionRefused(string code) => code switch
    {
        Admissions.Required => AdmissionRequired(),
        Admissions.Expired => AdmissionExpired(),
        _ => AdmissionInvalid(code),
    };

    /// <summary>A failed <see cref="HoldOutcome"/> (the failure codes of <see cref="HoldFailures"/>) as the problem the fan gets.</summary>
    public static ProblemException HoldRefused(HoldOutcome outcome) => outcome.Failure switch
    {
        HoldFailures.SeatUnavailable => SeatUnavailable(outcome.Detail),
        HoldFailures.NotEnoughSeats => NotEnoughSeats(outcome.Detail),
        HoldFailures.SoldOut => SoldOut(outcome.Detail),
        HoldFailures.EventNotOnSale => EventNotOnSale(outcome.Detail),
        HoldFailures.EventNotFound => EventNotFound(outcome.Detail),
        HoldFailures.OrderLimit or HoldFailures.AccountLimit => OverPurchaseLimit(outcome.Failure, outcome.Detail),
        HoldFailures.HoldExpired or HoldFailures.AlreadySold => HoldFinal(outcome.Failure, outcome.Detail),
        HoldFailures.HoldNotFound => HoldNotFound(),
        _ => new(StatusCodes.Status400BadRequest, outcome.Failure ?? HoldFailures.InvalidRequest, "The hold request is not valid.", outcome.Detail),
    };
}
