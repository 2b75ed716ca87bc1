using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Scanning.Domain;

// Actors only this module calls.

/// <summary>
/// One ticket's check-in state (one actor per ticket): every scan that got past the stateless checks is decided and
/// recorded here, one at a time, so two gates scanning the same ticket at the same moment admit it once.
/// </summary>
public interface ITicketCheckInActor : IActor
{
    /// <summary>Decides by the policy, records the scan (durably) and answers.</summary>
    Task<CheckInDecision> ScanAsync(CheckInScan scan);

    /// <summary>Records scans a device made offline (once each) and reports admissions the policy would have refused.</summary>
    Task<ReconcileResult> ReconcileAsync(OfflinePassages upload);
}

public sealed record CheckInScan(Guid ScanId, Guid EventId, Guid DeviceId, string Gate, string Zone, string Direction, ScanPolicy Policy);

public sealed record CheckInDecision(Guid ScanId, bool Allowed, string? Reason, DateTimeOffset ScannedAt, int Entries);

/// <summary>Scans of one ticket made offline by one device.</summary>
public sealed record OfflinePassages(Guid EventId, Guid OrganizerId, Guid DeviceId, ScanPolicy Policy, IReadOnlyList<OfflinePassage> Scans);

public sealed record OfflinePassage(Guid DeviceScanId, string Gate, string Zone, string Direction, bool Allowed, string? Reason, DateTimeOffset ScannedAt);

public sealed record ReconcileResult(int Recorded, int AlreadyRecorded, IReadOnlyList<EntryConflict> Conflicts);

/// <summary>An admission that, in time order, the policy would have refused; the first admission (FirstScanId) is the one that stands.</summary>
public sealed record EntryConflict(Guid ScanId, Guid TicketId, Guid DeviceId, DateTimeOffset ScannedAt, string Reason, Guid FirstScanId, Guid FirstDeviceId,
    DateTimeOffset FirstScannedAt);

/// <summary>The scanning actors by what they are for, so the id scheme and the type name are written once.</summary>
public static class ScanningActors
{
    public const string CheckIn = "TicketCheckIn";

    public static ITicketCheckInActor CheckInOf(this IActorProxyFactory actors, Guid ticketId) =>
        actors.CreateActorProxy<ITicketCheckInActor>(new ActorId(ticketId.ToString("N")), CheckIn);
}
