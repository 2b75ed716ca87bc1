using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>One row of a module's workflow catalogue.</summary>
public sealed record WorkflowSummary(string InstanceId, string Name, WorkflowRuntimeStatus Status, JsonElement? CustomStatus, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The <c>workflow_instances</c> table in each module's own schema: written by the workflow actor after it saved
/// a change of status or custom status, read by the admin API to list instances. The instance (its actor state)
/// stays the truth: a crash between the two writes leaves a row one step behind until the instance moves again.
/// </summary>
public sealed class WorkflowCatalog(MigrationCatalog migrations, PostgresDataSources dataSources, ILogger<WorkflowCatalog> logger)
{
    internal const string MigrationId = "buildingblocks/0002_workflow_instances";

    /// <summary>The schema holding the app's catalogue, or null for an app without a module database.</summary>
    public string? SchemaOf(string appId) =>
        migrations.Sets.FirstOrDefault(s => s.AppId == appId && s.Migrations.Any(m => m.Id == MigrationId))?.Schema;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CatalogueWriter> _writers = new(StringComparer.Ordinal);

    /// <summary>
    /// Upserts the instance's row. Rows of instances that change at the same moment are written together, one
    /// statement and one commit per app at a time (as actor turns share a commit): a purchase changes its row four
    /// times, and a sell-out profile counted these upserts among the most frequent single-statement commits. The
    /// caller still waits until its row is written, so a row is never older than its instance's previous turn.
    /// </summary>
    internal Task RecordAsync(string appId, string instanceId, WorkflowInstance instance)
    {
        if (SchemaOf(appId) is not { } schema)
        {
            return Task.CompletedTask;
        }

        var row = new CatalogueRow(instanceId, instance.Name, instance.Status.ToString(), instance.CustomStatus?.GetRawText(),
            new DateTimeOffset(instance.CreatedAt, TimeSpan.Zero), new DateTimeOffset(instance.LastUpdatedAt, TimeSpan.Zero));
        return _writers.GetOrAdd(appId, id => new CatalogueWriter(dataSources.ForApp(id), schema, logger)).WriteAsync(row);
    }

    internal async Task ForgetAsync(string appId, string instanceId)
    {
        if (SchemaOf(appId) is not { } schema)
        {
            return;
        }

        await using var command = dataSources.ForApp(appId).CreateCommand($"delete from {Quote(schema)}.workflow_instances where instance_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Newest first; <paramref name="after"/> is the last row of the previous page.</summary>
    public async Task<IReadOnlyList<WorkflowSummary>> ListAsync(string appId, string? name, WorkflowRuntimeStatus? status, int limit,
        (DateTimeOffset CreatedAt, string InstanceId)? after, CancellationToken cancellationToken)
    {
        var schema = SchemaOf(appId) ?? throw new InvalidOperationException($"App '{appId}' has no module database to keep a workflow catalogue in.");
        await using var command = dataSources.ForApp(appId).CreateCommand($"""
            select instance_id, name, status, custom_status, created_at, updated_at
            from {Quote(schema)}.workflow_instances
            where ($1::text is null or name = $1) and ($2::text is null or status = $2)
              and ($3::timestamptz is null or (created_at, instance_id) < ($3, $4))
            order by created_at desc, instance_id desc
            limit $5
            """);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)name ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)status?.ToString() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)after?.CreatedAt ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)after?.InstanceId ?? "" });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<WorkflowSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new WorkflowSummary(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<WorkflowRuntimeStatus>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : JsonDocument.Parse(reader.GetString(3)).RootElement.Clone(),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return rows;
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

internal sealed record CatalogueRow(string InstanceId, string Name, string Status, string? CustomStatus, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// One app's catalogue upserts: whoever asks while a write is in flight joins the next one. A failed write is logged
/// and not retried: the instance itself is saved, only the list view lags until the instance moves again.
/// </summary>
internal sealed class CatalogueWriter(NpgsqlDataSource dataSource, string schema, ILogger logger)
{
    private readonly Lock _gate = new();
    private List<(CatalogueRow Row, TaskCompletionSource Done)> _pending = [];
    private bool _writing;

    public Task WriteAsync(CatalogueRow row)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((row, done));
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // The writer must not run on (and hold up) the turn that started it, nor inherit its context.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(DrainAsync);
            }
        }

        return done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<(CatalogueRow Row, TaskCompletionSource Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }

                (batch, _pending) = (_pending, []);
            }

            try
            {
                await UpsertAsync(batch.Select(p => p.Row));
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the waiting turns are answered and the writer goes on with what came meanwhile.
                logger.LogWarning(ex, "Could not record {Count} workflow instance(s) in the {Schema} catalogue", batch.Count, schema);
            }
            finally
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetResult();
                }
            }
        }
    }

    private async Task UpsertAsync(IEnumerable<CatalogueRow> rows)
    {
        // An instance's later row wins: its turns are one after the other, so a later request carries a later state
        // (and one statement may not update the same row twice).
        var latest = new Dictionary<string, CatalogueRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            latest[row.InstanceId] = row;
        }

        var list = latest.Values.ToList();
        await using var command = dataSource.CreateCommand($"""
            insert into {WorkflowCatalog.Quote(schema)}.workflow_instances (instance_id, name, status, custom_status, created_at, updated_at)
            select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[])
            on conflict (instance_id) do update set status = excluded.status, custom_status = excluded.custom_status, updated_at = excluded.updated_at
            """);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = list.Select(r => r.InstanceId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = list.Select(r => r.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = list.Select(r => r.Status).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb, Value = list.Select(r => r.CustomStatus).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = list.Select(r => r.CreatedAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = list.Select(r => r.UpdatedAt).ToArray() });
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Keyset cursor of the workflow list: the creation time and id of the last row, URL-safe.</summary>
public static class WorkflowCursor
{
    public static string Encode(WorkflowSummary last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.CreatedAt.UtcTicks}:{last.InstanceId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (DateTimeOffset CreatedAt, string InstanceId)? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4)));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var ticks = long.Parse(text.AsSpan(0, colon), System.Globalization.CultureInfo.InvariantCulture);
            return (new DateTimeOffset(ticks, TimeSpan.Zero), text[(colon + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
