using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>The state building block on <c>runtime.state</c>, with Dapr's key prefixing, ETag and TTL rules.</summary>
internal sealed class PostgresStateClient(string appId, NpgsqlDataSource dataSource, TimeProvider time) : IStateClient
{
    private const string LiveRow = "(expires_at is null or expires_at > $3)";

    public async Task<T?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default) =>
        (await GetStateAndETagAsync<T>(storeName, key, cancellationToken)).Value;

    public async Task<(T? Value, string? ETag)> GetStateAndETagAsync<T>(string storeName, string key, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"select value::text, etag from runtime.state where store = $1 and key = $2 and {LiveRow}");
        AddKey(command, storeName, key);
        command.Parameters.Add(Now());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (default, null);
        }

        return (JsonSerializer.Deserialize<T>(reader.GetString(0), RuntimeJson.Options), ETag(reader.GetInt64(1)));
    }

    public async Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var prefixed = keys.Select(Prefix).ToArray();
        await using var command = dataSource.CreateCommand($"select key, value::text, etag from runtime.state where store = $1 and key = any($2) and {LiveRow}");
        command.Parameters.Add(new NpgsqlParameter { Value = storeName });
        command.Parameters.Add(new NpgsqlParameter { Value = prefixed });
        command.Parameters.Add(Now());
        var found = new Dictionary<string, (string Value, long ETag)>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
            }
        }

        return keys.Select(key => found.TryGetValue(Prefix(key), out var row)
                ? new BulkStateItem<T>(key, JsonSerializer.Deserialize<T>(row.Value, RuntimeJson.Options), ETag(row.ETag), true)
                : new BulkStateItem<T>(key, default, null, false))
            .ToList();
    }

    public async Task SaveStateAsync<T>(string storeName, string key, T value, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        await using var command = SaveCommand(storeName, key, value, etag: null, options, metadata);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new ETagMismatchException(key);
        }
    }

    public async Task<bool> TrySaveStateAsync<T>(string storeName, string key, T value, string etag, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        await using var command = SaveCommand(storeName, key, value, etag, options, metadata);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default)
    {
        await using var command = DeleteCommand(storeName, key, etag: null);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        await using var command = DeleteCommand(storeName, key, etag);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (operations.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var operation in operations)
            {
                var merged = Merge(metadata, operation.Metadata);
                await using var command = operation.OperationType == StateOperationType.Upsert
                    ? SaveCommand(storeName, operation.Key, operation.Value, operation.ETag, operation.Options, merged, connection)
                    : DeleteCommand(storeName, operation.Key, operation.ETag, connection);
                var affected = await command.ExecuteNonQueryAsync(cancellationToken);
                var conditional = operation.ETag is not null || (operation.OperationType == StateOperationType.Upsert && operation.Options?.Concurrency == Concurrency.FirstWrite);
                if (affected == 0 && conditional)
                {
                    throw new ETagMismatchException(operation.Key);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is StateException or NpgsqlException or ArgumentException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new StateTransactionException($"The state transaction on '{storeName}' was rolled back: {ex.Message}", ex);
        }
    }

    private NpgsqlCommand SaveCommand<T>(string storeName, string key, T value, string? etag, StateOptions? options,
        IReadOnlyDictionary<string, string>? metadata, NpgsqlConnection? connection = null)
    {
        var ttl = StateMetadata.ReadTtl(metadata);
        var now = time.GetUtcNow();
        string sql;
        if (etag is not null)
        {
            sql = $"update runtime.state set value = $4, etag = nextval('runtime.etag_seq'), expires_at = $5 where store = $1 and key = $2 and {LiveRow} and etag = $6";
        }
        else if (options?.Concurrency == Concurrency.FirstWrite)
        {
            // Insert-only: an expired row may be replaced, a live one may not.
            sql = """
                insert into runtime.state (store, key, value, etag, expires_at) values ($1, $2, $4, nextval('runtime.etag_seq'), $5)
                on conflict (store, key) do update set value = excluded.value, etag = excluded.etag, expires_at = excluded.expires_at
                where runtime.state.expires_at is not null and runtime.state.expires_at <= $3
                """;
        }
        else
        {
            sql = """
                insert into runtime.state (store, key, value, etag, expires_at) values ($1, $2, $4, nextval('runtime.etag_seq'), $5)
                on conflict (store, key) do update set value = excluded.value, etag = excluded.etag, expires_at = excluded.expires_at
                """;
        }

        var command = Command(sql, connection);
        AddKey(command, storeName, key);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(value, value?.GetType() ?? typeof(T), RuntimeJson.Options) });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = ttl is { } t ? now + t : DBNull.Value });
        if (etag is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ParseETag(key, etag) });
        }

        return command;
    }

    private NpgsqlCommand DeleteCommand(string storeName, string key, string? etag, NpgsqlConnection? connection = null)
    {
        var command = Command(etag is null
            ? "delete from runtime.state where store = $1 and key = $2"
            : $"delete from runtime.state where store = $1 and key = $2 and {LiveRow} and etag = $4", connection);
        AddKey(command, storeName, key);
        if (etag is not null)
        {
            command.Parameters.Add(Now());
            command.Parameters.Add(new NpgsqlParameter { Value = ParseETag(key, etag) });
        }

        return command;
    }

    /// <summary>A command on its own pooled connection, or on <paramref name="connection"/> to join its transaction.</summary>
    private NpgsqlCommand Command(string sql, NpgsqlConnection? connection) =>
        connection is null ? dataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);

    private void AddKey(NpgsqlCommand command, string storeName, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        command.Parameters.Add(new NpgsqlParameter { Value = storeName });
        command.Parameters.Add(new NpgsqlParameter { Value = Prefix(key) });
    }

    private string Prefix(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains("||", StringComparison.Ordinal))
        {
            throw new ArgumentException("State keys may not contain '||' (Dapr reserves it).", nameof(key));
        }

        return appId + "||" + key;
    }

    private NpgsqlParameter Now() => new() { Value = time.GetUtcNow() };

    private static string ETag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    private static long ParseETag(string key, string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"'{etag}' is not a valid ETag for state key '{key}'.", nameof(etag));

    private static IReadOnlyDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? request, IReadOnlyDictionary<string, string>? item)
    {
        if (request is null || item is null)
        {
            return item ?? request;
        }

        var merged = new Dictionary<string, string>(request);
        foreach (var (k, v) in item)
        {
            merged[k] = v;
        }

        return merged;
    }
}
