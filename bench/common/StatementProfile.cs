using Npgsql;

namespace TicketToken.Bench;

/// <summary>
/// What a purchase costs, which holds up on a busy machine: statements (from <c>pg_stat_statements</c>, which the
/// benchmark's PostgreSQL loads, see <see cref="BenchDatabase.StartAsync"/>), commits (<c>pg_stat_database</c>), and CPU
/// of this process and of PostgreSQL.
/// </summary>
public static class StatementProfile
{
    public sealed record Snapshot(double ProcessCpuMs, double PostgresCpuMs, long Commits, long WalSyncs, IReadOnlyList<Statement> Statements);

    public sealed record Statement(string Query, long Calls, double ExecutionMs);

    /// <summary><see cref="WalSyncsPerPurchase"/>: the server's WAL flushes (<c>pg_stat_wal.wal_sync</c>), the durable commits after group commit.</summary>
    public sealed record Window(double StatementsPerPurchase, double CommitsPerPurchase, double ExplicitPerPurchase, double WalSyncsPerPurchase, double HostCpuPerPurchase,
        double PostgresCpuPerPurchase, IReadOnlyList<(Statement Statement, double PerPurchase)> Top)
    {
        public void Print(int count)
        {
            Console.WriteLine($"  per purchase: {StatementsPerPurchase:0.0} statements, {CommitsPerPurchase:0.0} commits ({ExplicitPerPurchase:0.0} explicit transactions), {WalSyncsPerPurchase:0.0} WAL flushes, " +
                $"CPU {HostCpuPerPurchase:0.0} ms in the host and fans + {PostgresCpuPerPurchase:0.0} ms in PostgreSQL " +
                $"({Top.Sum(t => t.Statement.ExecutionMs * t.PerPurchase / Math.Max(1, t.Statement.Calls)):0.0} ms of it executing statements)");
            Console.WriteLine("  | calls / purchase | mean ms | statement |");
            Console.WriteLine("  |---|---|---|");
            foreach (var (statement, perPurchase) in Top.Take(count))
            {
                var text = string.Join(' ', statement.Query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
                Console.WriteLine($"  | {perPurchase:0.00} | {statement.ExecutionMs / Math.Max(1, statement.Calls):0.000} | `{(text.Length > 160 ? text[..160] + "..." : text)}` |");
            }
        }
    }

    public static async Task<Snapshot> ReadAsync(string connectionString, string dataDirectory, bool reset)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        if (reset)
        {
            await using var clear = db.CreateCommand("select pg_stat_statements_reset()");
            await clear.ExecuteNonQueryAsync();
        }

        var statements = new List<Statement>();
        await using (var command = db.CreateCommand("select query, calls, total_exec_time from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                statements.Add(new Statement(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
            }
        }

        await using var counters = db.CreateCommand("select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database()), (select wal_sync from pg_stat_wal)");
        await using var row = await counters.ExecuteReaderAsync();
        await row.ReadAsync();
        return new Snapshot(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, Machine.ClusterCpuMs(dataDirectory),
            row.GetInt64(0), row.GetInt64(1), statements);
    }

    /// <summary>
    /// The window's costs per purchase; the statements read at the start are the reset's own and ours, so only the end's
    /// count. Statements containing one of <paramref name="ignored"/> are the benchmark's own (a load generator's checks), not a purchase's.
    /// </summary>
    public static Window Between(Snapshot before, Snapshot after, int purchases, params string[] ignored)
    {
        var n = Math.Max(1, purchases);
        var ours = after.Statements.Where(s => !s.Query.Contains("pg_stat_statements", StringComparison.Ordinal) && !s.Query.Contains("pg_stat_database", StringComparison.Ordinal)
            && !ignored.Any(text => s.Query.Contains(text, StringComparison.Ordinal))).ToList();
        var explicitTransactions = ours.Where(s => s.Query.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase) || s.Query.StartsWith("START TRANSACTION", StringComparison.OrdinalIgnoreCase)).Sum(s => s.Calls);
        return new Window(ours.Sum(s => s.Calls) / (double)n, (after.Commits - before.Commits) / (double)n, explicitTransactions / (double)n, (after.WalSyncs - before.WalSyncs) / (double)n,
            (after.ProcessCpuMs - before.ProcessCpuMs) / n, (after.PostgresCpuMs - before.PostgresCpuMs) / n,
            [.. ours.OrderByDescending(s => s.Calls).Select(s => (s, s.Calls / (double)n))]);
    }
}
