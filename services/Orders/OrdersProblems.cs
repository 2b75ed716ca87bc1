using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders;

/// <summary>Every failure of orders a client can act on, with its stable <c>code</c>.</summary>
internal static class OrdersProblems
{
    // 404: another fan's or another organizer's resource is answered exactly like one that does not exist.
    public static ProblemException OrderNotFound() => new(StatusCodes.Status404NotFound, "order_not_found", "There is no such order of yours.");

    public static ProblemException HoldNotFound() =>
        new(StatusCodes.Status404NotFound, "hold_not_found", "There is no such hold of yours.", "It may have expired or been released: hold the seats again.");

    public static ProblemException OrganizerNotFound() => new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException PromoCodeNotFound() =>
        new(StatusCodes.Status404NotFound, "promo_code_not_found", "There is no such promo code for this event.");

    public static ProblemException CancellationNotFound() =>
        new(StatusCodes.Status404NotFound, "cancellation_not_found", "This event of yours was not cancelled (or its cancellation has not reached orders yet).");

    public static ProblemException PassNotFound() => new(StatusCodes.Status404NotFound, "pass_not_found", "There is no such pass on sale.");

    public static ProblemException EventNotFound() => new(StatusCodes.Status404NotFound, "event_not_found", "There is no such event.");

    // 400 / 422: the request itself is wrong.
    /// <summary>Moving money or creating an order needs an <c>Idempotency-Key</c> of at most 200 characters.</summary>
    public static void RequireIdempotencyKey([System.Diagnostics.CodeAnalysis.NotNull] string? key, string operation)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
        {
            throw IdempotencyKeyRequired(operation);
        }
    }

    /// <summary><paramref name="operation"/> is the request in a few words: "a checkout", "a refund".</summary>
    public static ProblemException IdempotencyKeyRequired(string operation) =>
        new(StatusCodes.Status400BadRequest, "idempotency_key_required", $"{char.ToUpperInvariant(operation[0])}{operation[1..]} needs an Idempotency-Key header of at most 200 characters.",
            $"Send a unique value per {operation[(operation.IndexOf(' ', StringComparison.Ordinal) + 1)..]} (a UUID) and the same value when retrying it, so a retry never happens twice.");

    public static ProblemException IdempotencyKeyReused() =>
        new(StatusCodes.Status422UnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was used for a different checkout.",
            "Use a new key for a new checkout.");

    public static ProblemException InvalidPromoCode(string detail) => new(StatusCodes.Status422UnprocessableEntity, "promo_code_not_applicable", "The promo code does not apply.", detail);

    public static ProblemException NotThisPass(string detail) =>
        new(StatusCodes.Status422UnprocessableEntity, "hold_not_of_pass", "The hold is not one of this pass.", detail);

    public static ProblemException InvalidRefund(string detail) => new(StatusCodes.Status422UnprocessableEntity, "invalid_refund", "That refund is not possible.", detail);

    public static ProblemException InvalidPromoDefinition(string detail) => new(StatusCodes.Status400BadRequest, "invalid_promo_code", "The promo code is not valid.", detail);

    // 409: the state of things says no.
    public static ProblemException HoldAlreadyCheckedOut() =>
        new(StatusCodes.Status409Conflict, "hold_already_checked_out", "These seats are already in another order.", "Poll that order, or hold other seats.");

    public static ProblemException HoldNotActive() =>
        new(StatusCodes.Status409Conflict, "hold_not_active", "The hold can no longer be checked out.", "It expired or was sold: hold the seats again.");

    public static ProblemException EventNotOnSale() =>
        new(StatusCodes.Status409Conflict, "event_not_on_sale", "This event is not on sale.", "It is unpublished, cancelled, or its prices are not known here yet: try again in a moment.");

    public static ProblemException PromoCodeExhausted() => new(StatusCodes.Status409Conflict, "promo_code_exhausted", "The promo code has been used up.");

    public static ProblemException PromoCodeExists() => new(StatusCodes.Status409Conflict, "promo_code_exists", "The organizer already has a promo code with this text.");

    public static ProblemException NotCancellable(OrderStatus status) =>
        new(StatusCodes.Status409Conflict, "order_not_cancellable", "Only an order awaiting payment can be cancelled.", $"This order is {status.StoredName()}.");

    public static ProblemException NotRefundable(OrderStatus status) =>
        new(StatusCodes.Status409Conflict, "order_not_refundable", "Only a confirmed order can be refunded.", $"This order is {status.StoredName()}.");

    /// <summary>Every error of the list, each naming its line, in <c>errors</c>.</summary>
    public static ProblemException InvalidGuestList(IReadOnlyList<Domain.GuestListError> errors) =>
        new(StatusCodes.Status400BadRequest, "invalid_guest_list", "The guest list is not valid.",
            $"{errors.Count} error(s); nothing was issued. Fix them and send the whole guest list again.")
        {
            Extensions = new Dictionary<string, object?> { ["errors"] = errors },
        };

    public static ProblemException InvalidCounterSale(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_counter_sale", "The box-office sale is not valid; nothing was sold.", detail);

    public static ProblemException NotWillCall() =>
        new(StatusCodes.Status409Conflict, "order_not_will_call", "This order's tickets are not held for pickup.", "Its tickets carry their codes already.");

    public static ProblemException WillCallNotReady(OrderStatus status) =>
        new(StatusCodes.Status409Conflict, "will_call_not_ready", "Only a confirmed will-call order can be released.", $"This order is {status.StoredName()}.");

    public static ProblemException NoRefundOffer() =>
        new(StatusCodes.Status404NotFound, "no_refund_offer", "This order has no refund offer.",
            "Orders are offered a refund when their event is moved to another time after they were bought.");

    public static ProblemException RefundWindowClosed(DateTimeOffset until) =>
        new(StatusCodes.Status409Conflict, "refund_window_closed", "The refund offer for the rescheduled event has ended.", $"It could be claimed until {until:u}.");

    public static ProblemException CounterSaleRefund() =>
        new(StatusCodes.Status409Conflict, "counter_sale_refund", "A box-office sale was paid at the counter; its money goes back there, not through the gateway.",
            "Refund it at the box office; refunds of counter sales through the platform are not supported yet.");

    /// <summary>Inventory could not hold the places of a box-office sale: <paramref name="failure"/> is its code (seat_unavailable, sold_out, ...).</summary>
    public static ProblemException CounterSaleNotAvailable(string failure, string? detail) => failure switch
    {
        "event_not_found" => EventNotFound(),
        "event_not_on_sale" => EventNotOnSale(),
        "invalid_hold_request" or "unknown_seat" => new(StatusCodes.Status400BadRequest, failure, "The sale names places the event does not have.", detail),
        _ => new(StatusCodes.Status409Conflict, failure, "These places cannot be sold; nothing was sold.", detail),
    };

    /// <summary>Inventory could not hold places for every guest: <paramref name="failure"/> is its code (seat_unavailable, sold_out, ...).</summary>
    public static ProblemException CompsNotAvailable(string failure, string? detail) => failure switch
    {
        "event_not_found" => EventNotFound(),
        "event_not_on_sale" => EventNotOnSale(),
        "invalid_hold_request" or "unknown_seat" => new(StatusCodes.Status400BadRequest, failure, "The guest list names places the event does not have.", detail),
        _ => new(StatusCodes.Status409Conflict, failure, "There are not enough places for every guest; nothing was issued.", detail),
    };
}
