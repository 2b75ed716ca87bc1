using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Scanning.Domain;

/// <summary>A scan as the gate sends it; <see cref="Zone"/> null means the device's only zone.</summary>
public sealed record GateScan(Guid DeviceId, Guid EventId, string Code, string Gate, string? Zone, string Direction);

/// <summary>The answer to a scan. <see cref="Reason"/> is null when allowed.</summary>
public sealed record ScanOutcome(Guid ScanId, bool Allowed, string? Reason, Guid? TicketId, string? TicketZone, string Zone, DateTimeOffset ScannedAt, int? Entries);

/// <summary>
/// The validation pipeline (docs/adr/0012-scanning.md): the checks that need no history run here, from memory; a scan
/// that passes them goes to its ticket's <see cref="ITicketCheckInActor"/> for the policy's duplicate and re-entry
/// rules. Every scan, allowed or denied, is in the scan log before it is answered.
/// </summary>
public sealed class ScanPipeline(GateViews views, ScanLog log, IActorProxyFactory actors, TimeProvider time, IOptions<ScanningOptions> options)
{
    public async Task<ScanOutcome> ScanAsync(GateScan scan, CancellationToken cancellationToken = default)
    {
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await DecideAsync(scan, cancellationToken);
        ScanMetrics.Record(outcome, scan.Direction, startedAt);
        return outcome;
    }

    private async Task<ScanOutcome> DecideAsync(GateScan scan, CancellationToken cancellationToken)
    {
        var scanId = Guid.CreateVersion7(time.GetUtcNow());
        var device = await views.DeviceAsync(scan.DeviceId, cancellationToken);
        var zone = scan.Zone ?? (device is { Zones: [var only] } ? only : device is null ? "" : throw ScanningProblems.ZoneRequired());

        async Task<ScanOutcome> Deny(string reason, Guid? ticketId = null, string? ticketZone = null)
        {
            var at = time.GetUtcNow();
            await log.AppendAsync(new ScanRecord(scanId, scan.EventId, ticketId, scan.DeviceId, scan.Gate, zone, scan.Direction, false, reason, at));
            return new ScanOutcome(scanId, false, reason, ticketId, ticketZone, zone, at, null);
        }

        if (!EntryCodes.TryParse(scan.Code, out var code))
        {
            return await Deny(ScanReasons.MalformedCode);
        }

        var view = await views.EventAsync(scan.EventId, cancellationToken);
        if (view is null)
        {
            return await Deny(ScanReasons.EventNotFound, code.TicketId);
        }

        if (device is not { Active: true })
        {
            return await Deny(ScanReasons.DeviceInactive, code.TicketId);
        }

        if (device.OrganizerId != view.OrganizerId)
        {
            return await Deny(ScanReasons.WrongTenant, code.TicketId);
        }

        if (device.VenueId != view.VenueId)
        {
            return await Deny(ScanReasons.DeviceWrongVenue, code.TicketId);
        }

        if (!device.Zones.Contains(zone))
        {
            return await Deny(ScanReasons.DeviceZoneNotAuthorized, code.TicketId);
        }

        // A ticket of another organizer does not exist for this gate: its existence is not the gate's business.
        var ticket = await views.TicketAsync(view, code.TicketId, cancellationToken);
        if (ticket is null || ticket.OrganizerId != view.OrganizerId)
        {
            return await Deny(ScanReasons.TicketNotFound, code.TicketId);
        }

        if (ticket.EventId != view.Id)
        {
            return await Deny(ScanReasons.WrongEvent, code.TicketId);
        }

        var ticketZone = view.ZoneOf(ticket.TicketTypeId);
        EntryKey key;
        try
        {
            key = await views.KeyAsync(view, cancellationToken);
        }
        catch (EntryKeyUnavailableException)
        {
            throw ScanningProblems.EntryKeyUnavailable();
        }

        if (SignatureCheck(key, ticket, code) is { } signatureFailure)
        {
            return await Deny(signatureFailure, ticket.Id, ticketZone);
        }

        var now = time.GetUtcNow();
        if (EntryCodes.StepOf(code, key.StepSeconds) is { } codeStep)
        {
            if (Math.Abs(codeStep - TicketCode.Step(now, key.StepSeconds)) > options.Value.AllowedSkewSteps)
            {
                return await Deny(ScanReasons.CodeExpired, ticket.Id, ticketZone);
            }
        }
        else if (!view.PassCodesAllowed)
        {
            return await Deny(ScanReasons.PassCodeNotAllowed, ticket.Id, ticketZone);
        }

        // A cancelled event's tickets are cancelled by the tickets module; which of the two messages arrives first must not matter.
        if ((view.Cancelled ? ScanReasons.TicketCancelled : StatusFailure(ticket)) is { } statusFailure)
        {
            return await Deny(statusFailure, ticket.Id, ticketZone);
        }

        if (scan.Direction == ScanDirections.Entry)
        {
            if (now < view.CheckInOpensAt)
            {
                return await Deny(ScanReasons.CheckInTooEarly, ticket.Id, ticketZone);
            }

            if (now > view.CheckInClosesAt)
            {
                return await Deny(ScanReasons.CheckInTooLate, ticket.Id, ticketZone);
            }

            if (!view.Policy.Admits(ticketZone, zone))
            {
                return await Deny(ScanReasons.ZoneDenied, ticket.Id, ticketZone);
            }
        }

        var decision = await actors.CheckInOf(ticket.Id).ScanAsync(new CheckInScan(scanId, view.Id, scan.DeviceId, scan.Gate, zone, scan.Direction, view.Policy));
        return new ScanOutcome(scanId, decision.Allowed, decision.Reason, ticket.Id, ticketZone, zone, decision.ScannedAt, decision.Entries);
    }

    /// <summary>
    /// Null when the code was made with the ticket's current secret. A code made with an earlier secret version is
    /// <c>superseded</c> (from before a transfer, a resale or a reissue, or a wallet pass made then); anything else is
    /// <c>bad_signature</c>.
    /// </summary>
    private static string? SignatureCheck(EntryKey key, TicketView ticket, EntryCode code)
    {
        if (Matches(key, ticket.Id, ticket.SecretVersion, code))
        {
            return null;
        }

        for (var version = ticket.SecretVersion - 1; version >= 1; version--)
        {
            if (Matches(key, ticket.Id, version, code))
            {
                return ScanReasons.Superseded;
            }
        }

        return ScanReasons.BadSignature;
    }

    private static bool Matches(EntryKey key, Guid ticketId, int secretVersion, EntryCode code) =>
        EntryCodes.IsMadeWith(code, TicketCode.DeriveSecret(key.Key, ticketId, secretVersion), key.StepSeconds);

    private static string? StatusFailure(TicketView ticket) => ticket.Status switch
    {
        TicketStatuses.Active or TicketStatuses.CheckedIn => ticket.Locked ? ScanReasons.TicketLocked : null,
        TicketStatuses.Refunded => ScanReasons.TicketRefunded,
        TicketStatuses.Revoked => ScanReasons.TicketRevoked,
        TicketStatuses.Transferred => ScanReasons.TicketTransferred,
        TicketStatuses.Expired => ScanReasons.TicketExpired,
        TicketStatuses.Cancelled => ScanReasons.TicketCancelled,
        _ => ScanReasons.TicketNotActive,
    };

    /// <summary>Whether <paramref name="zone"/> is a zone a gate can be in.</summary>
    public static bool IsZone(string zone) => AccessZones.Rank(zone) >= 0;
}
