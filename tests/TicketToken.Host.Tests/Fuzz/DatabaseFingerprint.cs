using Npgsql;

namespace TicketToken.Host.Tests.Fuzz;

/// <summary>
/// A summary of every table of the host's database that changes with any committed write to it, so that a test can say
/// "this request changed nothing" and, when it did, which tables it changed. Only tables that a refused request may change by design are left
/// out, each with its reason.
/// </summary>
public sealed class DatabaseFingerprint
{
    /// <summary>Tables that change on refused requests on purpose, or only in the background.</summary>
    private static readonly Dictionary<string, string> ChangedOnPurpose = new()
    {
        ["identity.throttles"] = "a refused sign-in is counted, so that guessing gets locked out",
        ["runtime.schema_migrations"] = "never changes after start, but is no module's data",
        ["notifications.webhook_attempts"] = "the webhook dispatcher adds one per retry in the background; no request writes it",
        ["minting.wallet_export_attempts"] = "every wallet-export attempt is audited, refused ones too, and counted, so that guessing gets locked out (ADR 0025)",
        ["minting.keys"] = "the registry's signing key is made once, by the first entry the background mirror signs or the first read of GET /api/minting/registry-key",
        ["tickets.wallet_keys"] = "the wallet-link key is made once, by the first ticket document anyone renders: the mail sender does that in the background for a confirmed comp's receipt",
    };

    /// <summary>
    /// Queues that background senders work through (attempts, status, next try change without any request): only which
    /// rows exist counts, so a refused request that queued a message or a delivery is still seen.
    /// </summary>
    private static readonly Dictionary<string, string> RowsOnly = new()
    {
        ["notifications.messages"] = "the mail sender retries queued messages (there is no SMTP server in these tests)",
        ["notifications.webhook_deliveries"] = "the webhook dispatcher retries deliveries",
    };

    private readonly string _connectionString;
    private string? _query;
    private string? _pendingQuery;

    public DatabaseFingerprint(string connectionString) => _connectionString = connectionString;

    /// <summary>Table name → hash of its rows.</summary>
    public async Task<IReadOnlyDictionary<string, string>> TakeAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        _query ??= await BuildQueryAsync(connection);
        await using var command = new NpgsqlCommand(_query, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hashes = new Dictionary<string, string>();
        while (await reader.ReadAsync())
        {
            hashes[reader.GetString(0)] = reader.IsDBNull(1) ? "empty" : reader.GetString(1);
        }

        return hashes;
    }

    /// <summary>
    /// Assigns a transaction id and returns it. Any write to any table needs a transaction id of its own, and ids are handed
    /// out in order, so when two calls return consecutive ids nothing in the cluster wrote anything in between: the cheap proof
    /// that a refused request changed nothing, with <see cref="TakeAsync"/> (a scan of every table) only when it fails.
    /// </summary>
    public async Task<long> ClaimTransactionIdAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select pg_current_xact_id()::text::bigint", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The tables whose rows differ between two fingerprints.</summary>
    public static IReadOnlyList<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t)).Order()];

    /// <summary>
    /// Work still in flight from an earlier accepted request: events not yet relayed or delivered, and workflows still
    /// working on their own (a comp's purchase, a refund); a purchase waiting for its fan's payment is idle.
    /// </summary>
    public async Task<long> PendingWorkAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        _pendingQuery ??= await BuildPendingQueryAsync(connection);
        await using var count = new NpgsqlCommand(_pendingQuery, connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<string> BuildPendingQueryAsync(NpgsqlConnection connection)
    {
        var outboxes = new List<string>();
        await using (var tables = new NpgsqlCommand("select table_schema from information_schema.tables where table_name = 'outbox_messages'", connection))
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                outboxes.Add(reader.GetString(0));
            }
        }

        // Minting mirrors tickets' changes in the background (its registry entries, its progress marks) after the event arrived.
        var mirrors = outboxes.Contains("minting") ? ["(select count(*) from minting.tickets where mirrored_sequence < sequence or lease_until is not null)"] : Array.Empty<string>();
        var sql = string.Join(" + ", outboxes.Select(s => $"(select count(*) from \"{s}\".outbox_messages)").Append("(select count(*) from runtime.deliveries)").Concat(mirrors)
            .Concat(outboxes.Select(s => $"(select count(*) from \"{s}\".workflow_instances where lower(status) in ('running', 'pending') " +
                "and coalesce(custom_status->>'stage', custom_status->>'Stage', '') <> 'awaiting_payment')")));
        return $"select {sql}";
    }

    private static async Task<string> BuildQueryAsync(NpgsqlConnection connection)
    {
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("""
            select table_schema || '.' || table_name from information_schema.tables
            where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        // A row that is inserted or updated gets the writing transaction's id as its xmin, and a deleted row leaves the
        // count, so (count, highest xmin) changes with any committed write: as telling as hashing every row's text, and
        // without sorting and hashing the whole database twice per request, which made the test outgrow its time.
        return string.Join("\nunion all\n", tables.Where(t => !ChangedOnPurpose.ContainsKey(t)).Select(t =>
        {
            var parts = t.Split('.');
            var summary = RowsOnly.ContainsKey(t)
                ? "md5(string_agg(r.id::text, '|' order by r.id::text))"
                : "count(*)::text || ':' || coalesce(max(r.xmin::text::bigint), 0)::text";
            return $"select '{t}', {summary} from \"{parts[0]}\".\"{parts[1]}\" r";
        }));
    }
}
