using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Hosting;

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

    internal async Task RecordAsync(string appId, string instanceId, WorkflowInstance instance)
    {
        if (SchemaOf(appId) is not { } schema)
        {
            return;
        }

        try
        {
            await using var command = dataSources.ForApp(appId).CreateCommand($"""
                insert into {Quote(schema)}.workflow_instances (instance_id, name, status, custom_status, created_at, updated_at)
                values ($1, $2, $3, $4, $5, $6)
                on conflict (instance_id) do update set status = excluded.status, custom_status = excluded.custom_status, updated_at = excluded.updated_at
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
            command.Parameters.Add(new NpgsqlParameter { Value = instance.Name });
            command.Parameters.Add(new NpgsqlParameter { Value = instance.Status.ToString() });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = instance.CustomStatus is { } custom ? custom.GetRawText() : DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = new DateTimeOffset(instance.CreatedAt, TimeSpan.Zero) });
            command.Parameters.Add(new NpgsqlParameter { Value = new DateTimeOffset(instance.LastUpdatedAt, TimeSpan.Zero) });
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException ex)
        {
            // The instance itself is saved; only the list view lags until the instance moves again.
            logger.LogWarning(ex, "Could not record workflow instance {InstanceId} of {AppId} in the catalogue", instanceId, appId);
        }
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

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
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
