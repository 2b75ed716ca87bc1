using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>
/// One embedded host per database: a session advisory lock held for the life of the process. It is what
/// makes "one activation per actor" true without a placement service. A second host waits for it
/// (a rolling restart); a host that loses it stops, and its orchestrator restarts it.
/// </summary>
internal sealed class RuntimeLease(NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, ILogger<RuntimeLease> logger) : IAsyncDisposable
{
    private const int LockNamespace = 0x71c7e7;
    private const int LockKey = 1;

    private NpgsqlConnection? _connection;
    private Task? _watch;
    private readonly CancellationTokenSource _stop = new();

    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        var waitingSince = DateTime.UtcNow;
        while (true)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("select pg_try_advisory_lock($1, $2)", connection))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = LockNamespace });
                command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
                {
                    _connection = connection;
                    _watch = WatchAsync(_stop.Token);
                    return;
                }
            }

            await connection.DisposeAsync();
            if (DateTime.UtcNow - waitingSince > TimeSpan.FromSeconds(5))
            {
                logger.LogWarning("Another embedded TicketToken host holds this database's runtime lease; waiting for it to stop");
                waitingSince = DateTime.UtcNow;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_watch is not null)
        {
            await _watch;
        }

        if (_connection is not null)
        {
            // Pooled connections are not reset on return (PostgresDataSources), so the session lock is given back here;
            // if the connection is broken the server has already ended the session and the lock with it.
            try
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock($1, $2)", _connection);
                unlock.Parameters.Add(new NpgsqlParameter { Value = LockNamespace });
                unlock.Parameters.Add(new NpgsqlParameter { Value = LockKey });
                await unlock.ExecuteScalarAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Could not unlock the runtime lease; its session is gone");
            }

            await _connection.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                await using var ping = new NpgsqlCommand("select 1", _connection);
                await ping.ExecuteScalarAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogCritical(ex, "Lost the embedded runtime lease (database connection broken); stopping so that no actor runs twice");
                lifetime.StopApplication();
                return;
            }
        }
    }
}
