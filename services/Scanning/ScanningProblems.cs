using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Scanning;

/// <summary>Every failure of the scanning module a client can act on, with its stable <c>code</c>. A denied scan is not one of them: it is an answer.</summary>
internal static class ScanningProblems
{
    // 404: another organizer's event is answered exactly like one that does not exist.
    public static ProblemException EventNotFound() =>
        new(StatusCodes.Status404NotFound, "event_not_found", "There is no such event among yours (or it has not been published yet).");

    public static ProblemException DeviceInactive() =>
        new(StatusCodes.Status403Forbidden, "device_inactive", "This device is deactivated, or not known to scanning yet.");

    public static ProblemException ZoneRequired() =>
        new(StatusCodes.Status400BadRequest, "zone_required", "Say which zone the gate is in: the device may scan at several.");

    public static ProblemException InvalidZone(string zone) =>
        new(StatusCodes.Status400BadRequest, "invalid_zone", "A gate is in one of the zones GA, VIP and BACKSTAGE.", $"Got: {zone}.");

    public static ProblemException InvalidPolicy(string detail) =>
        new(StatusCodes.Status400BadRequest, "invalid_policy", "The scan policy is not consistent.", detail);

    public static ProblemException UnknownTemplate(string template) =>
        new(StatusCodes.Status400BadRequest, "unknown_template", "There is no such policy template.", $"Got: {template}; known: standard, festival, concert, conference, vip.");

    public static ProblemException TooManyScans(int max) =>
        new(StatusCodes.Status400BadRequest, "too_many_scans", $"Upload at most {max} scans at a time.");

    public static ProblemException ScanInTheFuture(Guid id) =>
        new(StatusCodes.Status400BadRequest, "scan_in_the_future", "An offline scan cannot have happened later than now.", $"Scan {id}.");

    public static ProblemException UnknownTicket(Guid scanId) =>
        new(StatusCodes.Status400BadRequest, "unknown_ticket", "An offline scan names a ticket that is not one of the event's; nothing was recorded.", $"Scan {scanId}.");

    public static ProblemException EntryKeyUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "entry_key_unavailable", "The event's entry key cannot be had from the tickets module right now; try again.");
}
