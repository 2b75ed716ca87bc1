using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Notifications;

/// <summary>Every failure of the notifications module a client can act on, with its stable <c>code</c>.</summary>
internal static class NotificationsProblems
{
    // Another organizer's resources are answered exactly like ones that do not exist.
    public static ProblemException OrganizerNotFound() =>
        new(StatusCodes.Status404NotFound, "organizer_not_found", "There is no such organizer among yours.");

    public static ProblemException EndpointNotFound() =>
        new(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", "There is no such webhook endpoint for this organizer.");

    public static ProblemException DeliveryNotFound() =>
        new(StatusCodes.Status404NotFound, "webhook_delivery_not_found", "There is no such delivery for this endpoint.");

    public static ProblemException MessageNotFound() =>
        new(StatusCodes.Status404NotFound, "message_not_found", "There is no such message.");

    public static ProblemException InvalidUrl(string why) =>
        new(StatusCodes.Status422UnprocessableEntity, "invalid_webhook_url", "The endpoint URL cannot be used.", why);

    public static ProblemException UrlNotAllowed(string why) =>
        new(StatusCodes.Status422UnprocessableEntity, "webhook_url_not_allowed", "The endpoint URL points at an address webhooks are not sent to.", why);

    public static ProblemException UnknownEventTypes(IEnumerable<string> types) =>
        new(StatusCodes.Status422UnprocessableEntity, "unknown_event_types", $"Unknown event types: {string.Join(", ", types)}.",
            "GET /api/notifications/webhook-event-types lists them.");

    public static ProblemException TooManyEndpoints(int limit) =>
        new(StatusCodes.Status409Conflict, "webhook_endpoint_limit_reached", $"The organizer already has {limit} webhook endpoints, the most allowed.");

    public static ProblemException EndpointDisabled() =>
        new(StatusCodes.Status409Conflict, "webhook_endpoint_disabled", "The endpoint is disabled.", "Enable it first (PATCH with \"enabled\": true).");

    public static ProblemException MessageNotFailed() =>
        new(StatusCodes.Status409Conflict, "message_not_failed", "Only a message that failed can be sent again.");
}
