using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Takes the runtime lease, migrates the <c>runtime</c> schema and takes back deliveries a dead predecessor had claimed.</summary>
internal sealed class EmbeddedBootstrap(NpgsqlDataSource dataSource, RuntimeLease lease, MigrationRunner runner, ILogger<EmbeddedBootstrap> logger) : IRuntimeBootstrap
{
    public static readonly MigrationSet RuntimeSchema =
        new("runtime", "runtime", SqlMigrations.FromAssembly(typeof(EmbeddedBootstrap).Assembly, ".Runtime.Embedded.Migrations.", ""));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await lease.AcquireAsync(cancellationToken);
        await runner.ApplyAsync(dataSource, RuntimeSchema, cancellationToken);

        // We hold the lease, so any claim left is from a host that died mid-delivery.
        await using var release = dataSource.CreateCommand("update runtime.deliveries set claimed = false where claimed");
        var released = await release.ExecuteNonQueryAsync(cancellationToken);
        if (released > 0)
        {
            logger.LogInformation("Redelivering {Count} event(s) that were in flight when the previous host stopped", released);
        }
    }
}

/// <summary>Idle actor deactivation and the sweep of expired state.</summary>
internal sealed class EmbeddedMaintenance(
    ActorRuntime actors,
    NpgsqlDataSource dataSource,
    RuntimeReadiness readiness,
    TimeProvider time,
    IOptions<EmbeddedRuntimeOptions> options,
    ILogger<EmbeddedMaintenance> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitAsync(stoppingToken);
        var nextTtlSweep = time.GetUtcNow();
        var scan = actors.Options.ScanInterval < options.Value.TtlSweepInterval ? actors.Options.ScanInterval : options.Value.TtlSweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var deactivated = await actors.DeactivateIdleAsync();
                if (deactivated > 0)
                {
                    logger.LogDebug("Deactivated {Count} idle actor(s)", deactivated);
                }

                if (time.GetUtcNow() >= nextTtlSweep)
                {
                    await using var sweep = dataSource.CreateCommand("delete from runtime.state where expires_at <= $1");
                    sweep.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
                    await sweep.ExecuteNonQueryAsync(stoppingToken);
                    nextTtlSweep = time.GetUtcNow() + options.Value.TtlSweepInterval;
                }

                await Task.Delay(scan, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Runtime maintenance failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
            }
        }
    }
}
