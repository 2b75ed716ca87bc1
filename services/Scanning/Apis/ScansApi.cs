using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Catalog;
using TicketToken.Scanning.Domain;

namespace TicketToken.Scanning.Apis;

/// <summary>
/// The gate: a device scans a code and is told allowed or denied with a reason (a denied scan is a valid answer, 200);
/// after an offline spell it uploads what it scanned.
/// </summary>
public static class ScansApi
{
    public static RouteGroupBuilder MapScansApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/scans").WithTags("Scans").RequireAuthorization(Policies.Scanner);
        group.MapPost("/", Scan).WithName("Scan")
            .WithSummary("Validates a scanned entry code at a gate and records the scan: allowed, or denied with a stable reason code.");
        group.MapPost("/reconcile", Reconcile).WithName("ReconcileOfflineScans")
            .WithSummary("Uploads scans a device made offline (each once, by its own id); admissions the policy would have refused become conflicts for the organizer.")
            // Room for the largest upload the scan count allows (a few hundred bytes each), so that it is refused by count, with its own code.
            .WithRequestBodyLimit(16 * 1024 * 1024)
            .Problems(ScanningProblems.DeviceInactive, ScanningProblems.EventNotFound, () => ScanningProblems.ScanInTheFuture(Guid.Empty), () => ScanningProblems.TooManyScans(0), () => ScanningProblems.UnknownTicket(Guid.Empty));
        return group;
    }

    /// <summary>A scan at a gate. <see cref="Zone"/> may be left out when the device scans in one zone only.</summary>
    public sealed record ScanRequest(
        [property: Required] Guid EventId,
        [property: Required, StringLength(200)] string Code,
        [property: Required, StringLength(64, MinimumLength = 1)] string Gate,
        [property: AllowedValues(null, AccessZones.GeneralAdmission, AccessZones.Vip, AccessZones.Backstage)] string? Zone = null,
        [property: AllowedValues(null, ScanDirections.Entry, ScanDirections.Exit)] string? Direction = null);

    public sealed record ScanResponse(Guid ScanId, bool Allowed, string? Reason, Guid? TicketId, string? TicketZone, string Gate, string Zone, string Direction,
        DateTimeOffset ScannedAt, int? Entries);

    public sealed record ReconcileRequest([property: Required] IReadOnlyList<OfflineScan> Scans);

    /// <summary>
    /// A scan made without a network: <see cref="Id"/> is the device's own id for it (a second upload of the same id
    /// changes nothing), <see cref="Allowed"/> and <see cref="Reason"/> what the device decided from its manifest.
    /// <see cref="TicketId"/> is null when the code did not parse.
    /// </summary>
    public sealed record OfflineScan(
        [property: Required] Guid Id,
        [property: Required] Guid EventId,
        Guid? TicketId,
        [property: Required, StringLength(64, MinimumLength = 1)] string Gate,
        [property: Required, AllowedValues(AccessZones.GeneralAdmission, AccessZones.Vip, AccessZones.Backstage)] string Zone,
        [property: Required, AllowedValues(ScanDirections.Entry, ScanDirections.Exit)] string Direction,
        bool Allowed,
        [property: StringLength(64)] string? Reason,
        [property: Required] DateTimeOffset ScannedAt);

    public sealed record ReconcileResponse(int Recorded, int AlreadyRecorded, IReadOnlyList<ConflictResponse> Conflicts);

    public sealed record ConflictResponse(Guid ScanId, Guid TicketId, Guid DeviceId, DateTimeOffset ScannedAt, string Reason, Guid FirstScanId, Guid FirstDeviceId,
        DateTimeOffset FirstScannedAt);

    private static async Task<Ok<ScanResponse>> Scan(ScanRequest request, Caller caller, ScanPipeline pipeline, CancellationToken cancellationToken)
    {
        var deviceId = caller.DeviceId ?? throw new InvalidOperationException("The Scanner policy guarantees a device.");
        var direction = request.Direction ?? ScanDirections.Entry;
        // The scan is recorded whatever happens next: a gate whose client went away still has its answer in the log.
        var outcome = await pipeline.ScanAsync(new GateScan(deviceId, request.EventId, request.Code, request.Gate.Trim(), request.Zone, direction), CancellationToken.None);
        return TypedResults.Ok(new ScanResponse(outcome.ScanId, outcome.Allowed, outcome.Reason, outcome.TicketId, outcome.TicketZone, request.Gate.Trim(), outcome.Zone,
            direction, outcome.ScannedAt, outcome.Entries));
    }

    private static async Task<Ok<ReconcileResponse>> Reconcile(ReconcileRequest request, Caller caller, GateViews views, IActorProxyFactory actors, ScanLog log,
        TimeProvider time, IOptions<ScanningOptions> options, CancellationToken cancellationToken)
    {
        var deviceId = caller.DeviceId ?? throw new InvalidOperationException("The Scanner policy guarantees a device.");
        if (request.Scans.Count > options.Value.MaxReconcileScans)
        {
            throw ScanningProblems.TooManyScans(options.Value.MaxReconcileScans);
        }

        var now = time.GetUtcNow();
        if (request.Scans.FirstOrDefault(s => s.ScannedAt > now.AddMinutes(1)) is { } future)
        {
            throw ScanningProblems.ScanInTheFuture(future.Id);
        }

        var device = await views.DeviceAsync(deviceId, cancellationToken);
        if (device is not { Active: true })
        {
            throw ScanningProblems.DeviceInactive();
        }

        var recorded = 0;
        var already = 0;
        var conflicts = new List<ConflictResponse>();
        foreach (var byEvent in request.Scans.GroupBy(s => s.EventId))
        {
            var view = await views.EventAsync(byEvent.Key, cancellationToken);
            if (view is null || view.OrganizerId != device.OrganizerId || view.VenueId != device.VenueId)
            {
                throw ScanningProblems.EventNotFound();
            }

            // A device's manifest lists only the event's tickets: anything else is a broken or tampered upload, and is refused
            // before anything is recorded, so it cannot touch another ticket's history.
            var byTickets = byEvent.Where(s => s.TicketId is not null).GroupBy(s => s.TicketId!.Value).ToList();
            foreach (var byTicket in byTickets)
            {
                if (await views.TicketAsync(view, byTicket.Key, cancellationToken) is not { } known || known.EventId != view.Id)
                {
                    throw ScanningProblems.UnknownTicket(byTicket.First().Id);
                }
            }

            // One ticket's scans go through its actor, so they are replayed in order with what the gates did online.
            foreach (var byTicket in byTickets)
            {
                var result = await actors.CheckInOf(byTicket.Key).ReconcileAsync(new OfflinePassages(view.Id, view.OrganizerId, deviceId, view.Policy,
                    [.. byTicket.Select(s => new OfflinePassage(s.Id, s.Gate, s.Zone, s.Direction, s.Allowed, s.Reason, s.ScannedAt))]));
                recorded += result.Recorded;
                already += result.AlreadyRecorded;
                conflicts.AddRange(result.Conflicts.Select(c => new ConflictResponse(c.ScanId, c.TicketId, c.DeviceId, c.ScannedAt, c.Reason, c.FirstScanId,
                    c.FirstDeviceId, c.FirstScannedAt)));
            }

            var unreadable = byEvent.Where(s => s.TicketId is null).ToList();
            if (unreadable.Count > 0)
            {
                var (inserted, repeated) = await OfflineUnreadableAsync(log, view.Id, deviceId, unreadable, now, cancellationToken);
                recorded += inserted;
                already += repeated;
            }
        }

        return TypedResults.Ok(new ReconcileResponse(recorded, already, conflicts));
    }

    private static Task<(int Inserted, int Repeated)> OfflineUnreadableAsync(ScanLog log, Guid eventId, Guid deviceId, List<OfflineScan> scans, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        log.RecordOfflineUnreadableAsync(eventId, deviceId, [.. scans.Select(s => new OfflinePassage(s.Id, s.Gate, s.Zone, s.Direction, false,
            s.Reason ?? ScanReasons.MalformedCode, s.ScannedAt))], now, cancellationToken);
}
