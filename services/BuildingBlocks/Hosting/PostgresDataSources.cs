using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>
/// One <see cref="NpgsqlDataSource"/> (one pool) per distinct connection string. In the embedded default
/// every module and the runtime share one; in Kubernetes each module may point at its own database.
/// </summary>
public sealed class PostgresDataSources(IConfiguration configuration) : IAsyncDisposable
{
    /// <summary>The DI key of the embedded runtime's data source.</summary>
    public const string RuntimeKey = "runtime";

    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _pools = new(StringComparer.Ordinal);

    public IEnumerable<NpgsqlDataSource> All => _pools.Values;

    public NpgsqlDataSource ForApp(string appId) =>
        Get(appId == RuntimeKey && configuration["TicketToken:Embedded:Postgres"] is { Length: > 0 } own
            ? own
            : TicketTokenOptions.ConnectionStringFor(configuration, appId));

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _pools.Values)
        {
            await pool.DisposeAsync();
        }

        _pools.Clear();
    }

    private NpgsqlDataSource Get(string connectionString) =>
        _pools.GetOrAdd(connectionString, static cs =>
        {
            var builder = new NpgsqlConnectionStringBuilder(cs);
            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "tickettoken";
            }

            return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        });
}
