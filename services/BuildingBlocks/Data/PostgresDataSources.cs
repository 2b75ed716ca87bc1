using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Npgsql;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Data;

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

    /// <summary>
    /// Connections per pool unless the connection string says otherwise (<c>Maximum Pool Size</c>). Npgsql's
    /// default of 100 lets a burst open far more backends than a small server has cores; measured on 2 cores
    /// (bench/README.md), 16 connections beat 100 on every runtime benchmark.
    /// </summary>
    public static int DefaultMaxPoolSize { get; } = Math.Clamp(Environment.ProcessorCount * 8, 16, 100);

    /// <summary>
    /// Statements Npgsql prepares on each connection once they ran a few times, unless the connection string says
    /// otherwise (<c>Max Auto Prepare</c>; 0 turns it off). Parsing and planning every statement anew was most of
    /// PostgreSQL's CPU per purchase: a 3,000-seat sell-out on 2 cores sold out in 33.4 s with 64 instead of 45.0 s
    /// without, PostgreSQL's CPU per purchase 12.8 instead of 26.5 ms (bench/README.md, Sell-out, 2026-12-08).
    /// A migration under running hosts: EF Core's statements name their columns, so an additive one changes no prepared
    /// statement's result (decision 42 in docs/ARCHITECTURE.md).
    /// </summary>
    public const int DefaultMaxAutoPrepare = 64;

    private NpgsqlDataSource Get(string connectionString) =>
        _pools.GetOrAdd(connectionString, static cs =>
        {
            var builder = new NpgsqlConnectionStringBuilder(cs);
            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "tickettoken";
            }

            if (!cs.Contains("pool size", StringComparison.OrdinalIgnoreCase) && !cs.Contains("maxpoolsize", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxPoolSize = DefaultMaxPoolSize;
            }

            if (!cs.Contains("auto prepare", StringComparison.OrdinalIgnoreCase) && !cs.Contains("maxautoprepare", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            }

            // Nothing here leaves session state on a pooled connection (no SET, no temporary tables, prepared statements
            // only Npgsql's own, which it tracks per connection; the runtime lease unlocks before it lets its connection go), so the DISCARD ALL Npgsql
            // sends on every return to the pool is pure cost: measured at about 70 per purchase (bench/README.md).
            if (!cs.Contains("reset on close", StringComparison.OrdinalIgnoreCase) && !cs.Contains("noresetonclose", StringComparison.OrdinalIgnoreCase))
            {
                builder.NoResetOnClose = true;
            }

            return new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        });
}
