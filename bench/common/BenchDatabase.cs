using Npgsql;
using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Bench;

/// <summary>
/// A benchmark's own PostgreSQL cluster in a fresh temporary directory, removed with its log and lock file on dispose.
/// With statement statistics, <c>pg_stat_statements</c> is preloaded (only a start can set that) and created.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly LocalPostgres _server;

    private BenchDatabase(LocalPostgres server, string dataDirectory)
    {
        _server = server;
        DataDirectory = dataDirectory;
    }

    /// <summary>The cluster's data directory (its <c>postmaster.pid</c> names the process whose CPU <see cref="Machine.ClusterCpuMs"/> counts).</summary>
    public string DataDirectory { get; }

    public string ConnectionString => _server.ConnectionString;

    /// <summary>
    /// Starts the cluster for the benchmark <paramref name="name"/>; <paramref name="durable"/> keeps fsync on (every
    /// benchmark's default), <paramref name="statementStatistics"/> loads <c>pg_stat_statements</c> with these settings.
    /// </summary>
    public static async Task<BenchDatabase> StartAsync(string name, bool durable = true, IReadOnlyList<string>? statementStatistics = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"tickettoken-{name}-{Guid.NewGuid():N}");
        var settings = statementStatistics is null ? null : (IReadOnlyList<string>)["shared_preload_libraries=pg_stat_statements", .. statementStatistics];
        var server = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: !durable, database: name, serverSettings: settings);
        var database = new BenchDatabase(server, directory);
        if (statementStatistics is not null)
        {
            await using var db = NpgsqlDataSource.Create(server.ConnectionString);
            await using var extension = db.CreateCommand("create extension if not exists pg_stat_statements");
            await extension.ExecuteNonQueryAsync();
        }

        return database;
    }

    /// <summary>The connection string with Npgsql's Max Auto Prepare (0: off, the host's default).</summary>
    public string WithAutoPrepare(int statements) => new NpgsqlConnectionStringBuilder(ConnectionString) { MaxAutoPrepare = statements }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        File.Delete(DataDirectory + ".log");
        File.Delete(DataDirectory + ".lock");
    }
}
