namespace TicketToken.Scanning.Domain;

/// <summary>
/// Why a scan was denied: stable snake_case codes, in the order the pipeline checks them (docs/adr/0012-scanning.md).
/// Gate apps show them and organizers count them; never rename one.
/// </summary>
public static class ScanReasons
{
    public const string MalformedCode = "malformed_code";
    public const string EventNotFound = "event_not_found";
    public const string DeviceInactive = "device_inactive";
    public const string WrongTenant = "wrong_tenant";
    public const string DeviceWrongVenue = "device_wrong_venue";
    public const string DeviceZoneNotAuthorized = "device_zone_not_authorized";
    public const string TicketNotFound = "ticket_not_found";
    public const string WrongEvent = "wrong_event";
    public const string BadSignature = "bad_signature";
    public const string Superseded = "superseded";
    public const string CodeExpired = "code_expired";

    /// <summary>A pass code (Apple Wallet, the PDF) for an event whose organizer forbids wallet passes: only the app's rotating code admits.</summary>
    public const string PassCodeNotAllowed = "pass_code_not_allowed";
    public const string TicketNotActive = "ticket_not_active";
    public const string TicketRefunded = "ticket_refunded";
    public const string TicketRevoked = "ticket_revoked";
    public const string TicketTransferred = "ticket_transferred";
    public const string TicketExpired = "ticket_expired";
    public const string TicketCancelled = "ticket_cancelled";
    public const string TicketLocked = "ticket_locked";
    public const string CheckInTooEarly = "checkin_too_early";
    public const string CheckInTooLate = "checkin_too_late";
    public const string ZoneDenied = "zone_denied";
    public const string Duplicate = "duplicate";
    public const string ReentryNotAllowed = "reentry_not_allowed";
    public const string ReentryLimitReached = "reentry_limit_reached";
    public const string AlreadyInside = "already_inside";
    public const string NotInside = "not_inside";

    /// <summary>Every code, in pipeline order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MalformedCode, EventNotFound, DeviceInactive, WrongTenant, DeviceWrongVenue, DeviceZoneNotAuthorized, TicketNotFound, WrongEvent,
        BadSignature, Superseded, CodeExpired, PassCodeNotAllowed, TicketNotActive, TicketRefunded, TicketRevoked, TicketTransferred, TicketExpired, TicketCancelled, TicketLocked,
        CheckInTooEarly, CheckInTooLate, ZoneDenied, Duplicate, ReentryNotAllowed, ReentryLimitReached, AlreadyInside, NotInside,
    ];
}

/// <summary>Which way a scan lets somebody through a gate.</summary>
public static class ScanDirections
{
    public const string Entry = "entry";
    public const string Exit = "exit";
}
