namespace TicketToken.Contracts.Scanning;

/// <summary>
/// Offline scans uploaded after the fact show that a ticket was let in where its event's policy would have refused it
/// (topic <see cref="Topic"/>): typically two devices that each admitted it without a network. The earliest admission
/// (<see cref="FirstScanId"/>) stands; this one (<see cref="ScanId"/>) is the conflict the organizer hears of. Published
/// once per conflicting scan, in the transaction that recorded it.
/// </summary>
public sealed record EntryConflictDetected(Guid EventId, Guid OrganizerId, Guid TicketId, Guid ScanId, Guid DeviceId, DateTimeOffset ScannedAt, string Reason,
    Guid FirstScanId, Guid FirstDeviceId, DateTimeOffset FirstScannedAt, DateTimeOffset DetectedAt)
{
    public const string Topic = "scanning.entry-conflict";
}

/// <summary>
/// A ticket was let in at a gate (topic <see cref="Topic"/>), online or in an uploaded offline scan: published for every
/// admitted entry, in the transaction that recorded the scan (the id of the message is the scan's). The tickets module
/// marks the ticket used, so it can no longer be passed on; organizers' webhooks hear of it.
/// </summary>
public sealed record TicketCheckedIn(Guid TicketId, Guid EventId, Guid ScanId, Guid DeviceId, string Gate, string Zone, DateTimeOffset ScannedAt, bool Offline)
{
    public const string Topic = "scanning.ticket-checked-in";
}
