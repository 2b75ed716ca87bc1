using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog;

/// <summary>Every failure of the catalog a client can act on, with its stable <c>code</c>.</summary>
internal static class CatalogProblems
{
    // 404: another organizer's resource is answered exactly like one that does not exist.
    public static ProblemException OrganizerNotFound() =>
        new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException VenueNotFound() =>
        new(StatusCodes.Status404NotFound, "venue_not_found", "There is no such venue among yours.");

    public static ProblemException SeatMapNotFound() =>
        new(StatusCodes.Status404NotFound, "seat_map_not_found", "There is no such seat map at this venue.");

    public static ProblemException EventNotFound() =>
        new(StatusCodes.Status404NotFound, "event_not_found", "There is no such event.");

    public static ProblemException TicketTypeNotFound() =>
        new(StatusCodes.Status404NotFound, "ticket_type_not_found", "The event has no such ticket type.");

    public static ProblemException PassNotFound() =>
        new(StatusCodes.Status404NotFound, "pass_not_found", "There is no such pass.");

    // 400: the request itself is wrong.
    public static ProblemException InvalidTimeZone(string timeZone) =>
        new(StatusCodes.Status400BadRequest, "invalid_time_zone", "The time zone is not an IANA time zone this server knows.",
            $"'{timeZone}' was not found; use an IANA id such as Europe/Berlin or America/New_York.");

    public static ProblemException InvalidCountry(string country) =>
        new(StatusCodes.Status400BadRequest, "invalid_country", "The country is not an ISO 3166-1 alpha-2 code.", $"'{country}' is not one; for example DE, GB or US.");

    public static ProblemException InvalidEventTimes(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_event_times", "The event's times do not work.", detail);

    public static ProblemException InvalidSalesWindow(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_sales_window", "The sales window does not work.", detail);

    public static ProblemException InvalidLimits() =>
        new(StatusCodes.Status400BadRequest, "invalid_limits", "The purchase limits do not work.",
            "perOrder is 1 to 100, perAccount at most 1000, and perOrder cannot exceed perAccount.");

    public static ProblemException InvalidResalePolicy() =>
        new(StatusCodes.Status400BadRequest, "invalid_resale_policy", "The resale policy does not work.",
            "priceCapPercent is 1 to 1000 (% of face value), royaltyBasisPoints 0 to 10000, listingCooldownMinutes 0 to 43200 and maxListingsPerFan 1 to 1000.");

    public static ProblemException InvalidRecurrence(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_recurrence", "The recurrence rule does not work.", detail);

    public static ProblemException TooManyOccurrences() =>
        new(StatusCodes.Status400BadRequest, "too_many_occurrences", $"A series has at most {Recurrence.MaximumOccurrences} occurrences.",
            "Use a later start, a larger interval or an earlier until date.");

    public static ProblemException NoSeatMap() =>
        new(StatusCodes.Status400BadRequest, "no_seat_map", "Reserved seating needs a seat map.",
            "This event is general admission only; create it with a seatMapId to sell reserved seats.");

    public static ProblemException UnknownPriceZone(string zone) =>
        new(StatusCodes.Status400BadRequest, "unknown_price_zone", "The seat map has no such price zone.", $"Price zone '{zone}' is not in the event's seat map.");

    public static ProblemException InvalidTicketType(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_ticket_type", "The ticket type does not work.", detail);

    public static ProblemException InvalidAccessZone(string zone) =>
        new(StatusCodes.Status400BadRequest, "invalid_access_zone", "There is no such access zone.",
            $"'{zone}' is not one of {string.Join(", ", AccessZones.All)} (BACKSTAGE includes VIP, VIP includes GA).");

    public static ProblemException InvalidPass(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_pass", "The pass does not work.", detail);

    public static ProblemException UnsupportedMediaType() =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Send the seat map as text/csv or application/json.");

    public static ProblemException PayloadTooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"A seat map body is at most {SeatMapLimits.MaximumBodyBytes / (1024 * 1024)} MB.");

    /// <summary>The seat map was refused; every error says on which line of the body it is.</summary>
    public static ProblemException InvalidSeatMap(SeatMapErrors errors) =>
        new(StatusCodes.Status400BadRequest, "invalid_seat_map", "The seat map is not valid.",
            $"{errors.Count} error(s); nothing was imported. Fix them and send the whole seat map again.")
        {
            Extensions = new Dictionary<string, object?> { ["errors"] = errors.Reported },
        };

    public static ProblemException InvalidJson() =>
        new(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON.");

    /// <summary>A pretix plan was refused; every problem names the JSON path of the element at fault.</summary>
    public static ProblemException InvalidPretixPlan(IReadOnlyList<PlanProblem> problems) =>
        new(StatusCodes.Status422UnprocessableEntity, "invalid_pretix_plan", "The pretix seating plan is not valid.",
            $"{problems.Count} problem(s); nothing was imported. Fix them and send the whole plan again.")
        {
            Extensions = new Dictionary<string, object?> { ["errors"] = problems.Take(SeatMapErrors.MaximumReported).ToList() },
        };

    // 409: the request is fine, the state of the resource does not allow it.
    public static ProblemException SeatMapInUse(string detail) =>
        new(StatusCodes.Status409Conflict, "seat_map_in_use", "The seat map is used by events.", detail);

    public static ProblemException InvalidTransition(string action, EventStatus status) =>
        new(StatusCodes.Status409Conflict, "invalid_transition", $"The event is {EventLifecycle.Name(status).Replace('_', ' ')}; it cannot {action}.",
            "Events go draft → published → on_sale → completed, and can be cancelled until they complete.");

    public static ProblemException EventNotDraft() =>
        new(StatusCodes.Status409Conflict, "event_not_draft", "Only a draft event can be changed this way.",
            "Ticket types, times and the template of an event are fixed once it is published.");

    public static ProblemException EventVersionConflict(long expected, long current) =>
        new(StatusCodes.Status409Conflict, "event_version_conflict", "The event changed since you read it.",
            $"expectedVersion was {expected}, the event is at version {current}: read it again and decide on the change anew.");

    public static ProblemException EventNotChangeable(EventStatus status) =>
        new(StatusCodes.Status409Conflict, "event_not_changeable", $"The event is {EventLifecycle.Name(status).Replace('_', ' ')}; only a published event or one on sale changes this way.",
            "A draft is edited directly (PATCH); a completed or cancelled event no longer changes.");

    public static ProblemException CapacityBelowSold(string ticketType, int capacity, int taken) =>
        new(StatusCodes.Status422UnprocessableEntity, "capacity_below_sold", "A ticket type cannot have less capacity than it has sold and held.",
            $"'{ticketType}' has {taken} places sold or held; {capacity} is too few.");

    public static ProblemException NotGeneralAdmission(string ticketType) =>
        new(StatusCodes.Status422UnprocessableEntity, "not_general_admission", "Only a general-admission ticket type has a capacity to change.",
            $"'{ticketType}' is reserved seating: its places are the seats of its price zone.");

    public static ProblemException InventoryUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "inventory_unavailable", "What is sold could not be read from inventory; try again.");

    public static ProblemException InvalidChange(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_change", "The change does not work.", detail);

    public static ProblemException NoTicketTypes() =>
        new(StatusCodes.Status409Conflict, "no_ticket_types", "An event needs at least one ticket type to be published.");

    public static ProblemException ZoneHasNoSeats(string zone) =>
        new(StatusCodes.Status409Conflict, "zone_has_no_seats", "A reserved ticket type's price zone has no seats to sell.",
            $"Price zone '{zone}' has no seats that are not blocked in the event's seat map.");

    public static ProblemException SalesWindowClosed() =>
        new(StatusCodes.Status409Conflict, "sales_window_closed", "The sales window has already ended.", "Move salesEndAt into the future first.");

    public static ProblemException OverCapacity(long sellable, int capacity) =>
        new(StatusCodes.Status409Conflict, "over_capacity", "The event would sell more than the venue holds.",
            $"{sellable} tickets (reserved seats plus general admission) against a venue capacity of {capacity}.");

    public static ProblemException PriceZoneTaken(string zone) =>
        new(StatusCodes.Status409Conflict, "price_zone_taken", "Another ticket type already sells this price zone.", $"Price zone '{zone}' has a ticket type.");

    public static ProblemException TicketTypeNameTaken(string name) =>
        new(StatusCodes.Status409Conflict, "ticket_type_name_taken", "The event already has a ticket type with this name.", $"'{name}' is taken.");

    public static ProblemException EventNotStarted() =>
        new(StatusCodes.Status409Conflict, "event_not_started", "An event can be completed only once it has started.");
}
