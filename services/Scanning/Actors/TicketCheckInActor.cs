using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Scanning;
using TicketToken.Scanning.Domain;

namespace TicketToken.Scanning.Actors;

/// <summary>
/// One ticket's check-in state. It keeps no actor state of its own: the scan log is the record, and the activation
/// reads the ticket's allowed scans (less the conflicts) once, in a group with other activations (<see cref="PassageReader"/>),
/// then keeps them in memory; a ticket this host knows was never admitted is not read at all
/// (<see cref="GateViews.KnownWithoutPassages"/>). A turn decides, appends the
/// scan, and returns only when the row is durable; it holds the ticket meanwhile, so the next scan of the same ticket
/// sees it. Scans of other tickets share the log's group commits. A turn that throws drops the activation, so memory
/// never gets ahead of the log.
/// </summary>
public sealed class TicketCheckInActor(ActorHost host, ScanLog log, PassageReader passageReader, GateViews views,
    [FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource)
    : Actor(host), ITicketCheckInActor
{
    private List<Passage>? _passages;

    private Guid TicketId => Guid.ParseExact(Id.Id, "N");

    public async Task<CheckInDecision> ScanAsync(CheckInScan scan)
    {
        var passages = await LoadAsync(scan.EventId);
        var now = Host.TimeProvider.GetUtcNow();
        var reason = EntryRules.Check(passages, scan.Policy, scan.Direction, now);
        if (reason is null)
        {
            views.MayHavePassages(TicketId);
        }

        await log.AppendAsync(new ScanRecord(scan.ScanId, scan.EventId, TicketId, scan.DeviceId, scan.Gate, scan.Zone, scan.Direction, reason is null, reason, now));
        if (reason is null)
        {
            passages.Add(new Passage(scan.ScanId, scan.DeviceId, scan.Direction, now));
        }

        return new CheckInDecision(scan.ScanId, reason is null, reason, now, passages.Count(p => p.Direction == ScanDirections.Entry));
    }

    public async Task<ReconcileResult> ReconcileAsync(OfflinePassages upload)
    {
        var passages = await LoadAsync(upload.EventId);
        var now = Host.TimeProvider.GetUtcNow();
        var recorded = new List<Passage>();
        views.MayHavePassages(TicketId);
        var inserted = 0;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var scan in upload.Scans)
        {
            await using var insert = new NpgsqlCommand("""
                insert into scanning.scans (id, event_id, ticket_id, device_id, gate, zone, direction, allowed, reason, offline, device_scan_id, scanned_at, recorded_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10, $11, $12)
                on conflict (device_id, device_scan_id) where device_scan_id is not null do nothing
                """, connection, transaction);
            var id = Guid.CreateVersion7(now);
            foreach (var value in new object?[] { id, upload.EventId, TicketId, upload.DeviceId, scan.Gate, scan.Zone, scan.Direction, scan.Allowed, scan.Allowed ? null : scan.Reason ?? "offline_denied", scan.DeviceScanId, scan.ScannedAt.ToUniversalTime(), now })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            if (await insert.ExecuteNonQueryAsync() == 1)
            {
                inserted++;
                if (scan.Allowed)
                {
                    recorded.Add(new Passage(id, upload.DeviceId, scan.Direction, scan.ScannedAt));
                }

                if (scan.Allowed && scan.Direction == ScanDirections.Entry)
                {
                    // The device let the holder in: the ticket is used, whatever the reconciliation below finds.
                    var checkedIn = ScanLog.CheckedIn(new ScanRecord(id, upload.EventId, TicketId, upload.DeviceId, scan.Gate, scan.Zone, scan.Direction, true, null,
                        scan.ScannedAt), offline: true);
                    await using var outbox = new NpgsqlCommand("insert into scanning.outbox_messages (id, pubsub_name, topic, type, data) values ($1, $2, $3, $3, $4::jsonb)",
                        connection, transaction);
                    foreach (var value in new object[] { id, PubSubNames.Default, TicketCheckedIn.Topic, JsonSerializer.Serialize(checkedIn, RuntimeJson.Options) })
                    {
                        outbox.Parameters.Add(new NpgsqlParameter { Value = value });
                    }

                    await outbox.ExecuteNonQueryAsync();
                }
            }
        }

        // Replay every admission in time order: the earliest stands, a later one the policy refuses is a conflict.
        var conflicts = new List<EntryConflict>();
        var accepted = new List<Passage>();
        foreach (var passage in passages.Concat(recorded).OrderBy(p => p.At).ThenBy(p => p.ScanId))
        {
            if (EntryRules.Check(accepted, upload.Policy, passage.Direction, passage.At) is { } reason)
            {
                if (passage.Direction == ScanDirections.Exit)
                {
                    continue; // an exit nobody entered for changes nothing and harms nobody
                }

                var first = accepted.Last(p => p.Direction == ScanDirections.Entry);
                conflicts.Add(new EntryConflict(passage.ScanId, TicketId, passage.DeviceId, passage.At, reason, first.ScanId, first.DeviceId, first.At));
                continue;
            }

            accepted.Add(passage);
        }

        foreach (var conflict in conflicts)
        {
            // A conflict is recorded once, and the organizer hears of it once, in the same transaction (the module's outbox).
            var detected = new EntryConflictDetected(upload.EventId, upload.OrganizerId, TicketId, conflict.ScanId, conflict.DeviceId, conflict.ScannedAt,
                conflict.Reason, conflict.FirstScanId, conflict.FirstDeviceId, conflict.FirstScannedAt, now);
            await using var insert = new NpgsqlCommand("""
                with recorded as (
                    insert into scanning.conflicts (scan_id, event_id, ticket_id, device_id, scanned_at, reason, first_scan_id, first_device_id, first_scanned_at, detected_at)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (scan_id) do nothing
                    returning scan_id)
                insert into scanning.outbox_messages (id, pubsub_name, topic, type, data)
                select $11, $12, $13, $13, $14::jsonb from recorded
                """, connection, transaction);
            foreach (var value in new object[] { conflict.ScanId, upload.EventId, TicketId, conflict.DeviceId, conflict.ScannedAt.ToUniversalTime(), conflict.Reason,
                conflict.FirstScanId, conflict.FirstDeviceId, conflict.FirstScannedAt.ToUniversalTime(), now, Guid.CreateVersion7(now), PubSubNames.Default,
                EntryConflictDetected.Topic, JsonSerializer.Serialize(detected, RuntimeJson.Options) })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        _passages = accepted;
        return new ReconcileResult(inserted, upload.Scans.Count - inserted, conflicts);
    }

    private async Task<List<Passage>> LoadAsync(Guid eventId) =>
        _passages ??= views.KnownWithoutPassages(eventId, TicketId) ? [] : await passageReader.ReadAsync(TicketId);
}
