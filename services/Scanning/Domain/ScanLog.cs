using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Scanning;

namespace TicketToken.Scanning.Domain;

/// <summary>One row of <c>scanning.scans</c>.</summary>
public sealed record ScanRecord(Guid Id, Guid EventId, Guid? TicketId, Guid DeviceId, string Gate, string Zone, string Direction, bool Allowed, string? Reason,
    DateTimeOffset ScannedAt);

/// <summary>
/// The append-only scan log, written by group commit: scans that arrive while a batch is being written go together into
/// the next one (one INSERT over arrays: one round trip, one transaction, one WAL flush), and each caller is answered when its batch has
/// committed. Nobody is told "allowed" before the row that says so is durable; a failed batch fails every scan in it.
/// </summary>
public sealed class ScanLog : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<ScanLog> _logger;
    private readonly TimeProvider _time;
    private readonly int _maxBatch;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;

    private sealed record Pending(ScanRecord Scan, TaskCompletionSource Done);

    public ScanLog([FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource, IOptions<ScanningOptions> options, TimeProvider time, ILogger<ScanLog> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
        _maxBatch = options.Value.ScanLogMaxBatch;
        // More than one writer so that a batch is forming while another is being flushed, even when a flush is slow.
        _writers = [.. Enumerable.Range(0, options.Value.ScanLogWriters).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>Completes when the scan is durable; throws when its batch could not be written.</summary>
    public Task AppendAsync(ScanRecord scan)
    {
        var pending = new Pending(scan, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The scan log is shutting down.");
        }

        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteAsync(batch);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Writing a batch of {Count} scans failed; each of them is answered with the error", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        // One batch of two statements (one round trip, one implicit transaction, one WAL flush) for the whole group: the scans,
        // and for each admitted entry the scanning.ticket-checked-in message, whose id is the scan's.
        var recordedAt = _time.GetUtcNow().ToUniversalTime();
        await using var sql = _dataSource.CreateBatch();
        var scans = batch.Select(p => p.Scan).ToList();
        var insert = new NpgsqlBatchCommand("""
            insert into scanning.scans (id, event_id, ticket_id, device_id, gate, zone, direction, allowed, reason, offline, scanned_at, recorded_at)
            select id, event_id, ticket_id, device_id, gate, zone, direction, allowed, reason, false, scanned_at, $11
            from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::timestamptz[])
                as s (id, event_id, ticket_id, device_id, gate, zone, direction, allowed, reason, scanned_at)
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Id).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.EventId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.TicketId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.DeviceId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Gate).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Zone).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Direction).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Allowed).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.Reason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = scans.Select(s => s.ScannedAt.ToUniversalTime()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = recordedAt });
        sql.BatchCommands.Add(insert);
        var admitted = batch.Select(p => p.Scan).Where(s => s.Allowed && s.TicketId is not null && s.Direction == ScanDirections.Entry).ToList();
        if (admitted.Count > 0)
        {
            var outbox = new NpgsqlBatchCommand("""
                insert into scanning.outbox_messages (id, pubsub_name, topic, type, data)
                select id, $1, $2, $2, data from unnest($3::uuid[], $4::jsonb[]) as s (id, data)
                """);
            outbox.Parameters.Add(new NpgsqlParameter { Value = PubSubNames.Default });
            outbox.Parameters.Add(new NpgsqlParameter { Value = TicketCheckedIn.Topic });
            outbox.Parameters.Add(new NpgsqlParameter { Value = admitted.Select(s => s.Id).ToArray() });
            outbox.Parameters.Add(new NpgsqlParameter
            {
                Value = admitted.Select(s => JsonSerializer.Serialize(CheckedIn(s, offline: false), RuntimeJson.Options)).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            sql.BatchCommands.Add(outbox);
        }

        await sql.ExecuteNonQueryAsync();
    }

    /// <summary>The message an admitted entry sends (<see cref="TicketCheckedIn"/>).</summary>
    public static TicketCheckedIn CheckedIn(ScanRecord scan, bool offline) =>
        new(scan.TicketId!.Value, scan.EventId, scan.Id, scan.DeviceId, scan.Gate, scan.Zone, scan.ScannedAt, offline);

    /// <summary>Records offline scans whose code the device could not read (no ticket, so no actor); each device scan id once.</summary>
    public async Task<(int Inserted, int Repeated)> RecordOfflineUnreadableAsync(Guid eventId, Guid deviceId, IReadOnlyList<OfflinePassage> scans, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var inserted = 0;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var scan in scans)
        {
            await using var insert = new NpgsqlCommand("""
                insert into scanning.scans (id, event_id, ticket_id, device_id, gate, zone, direction, allowed, reason, offline, device_scan_id, scanned_at, recorded_at)
                values ($1, $2, null, $3, $4, $5, $6, false, $7, true, $8, $9, $10)
                on conflict (device_id, device_scan_id) where device_scan_id is not null do nothing
                """, connection);
            foreach (var value in new object[] { Guid.CreateVersion7(now), eventId, deviceId, scan.Gate, scan.Zone, scan.Direction, scan.Reason ?? ScanReasons.MalformedCode, scan.DeviceScanId, scan.ScannedAt.ToUniversalTime(), now })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            inserted += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return (inserted, scans.Count - inserted);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers); // what was accepted is written before the host goes
    }
}
