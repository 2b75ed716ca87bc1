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
