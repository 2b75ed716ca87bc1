using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>
/// Runs first among the hosted services: the runtime's bootstrap, then every module's migrations.
/// The host starts serving only after it finishes, so a started host is a ready host.
/// </summary>
internal sealed class RuntimeStartup(
    IRuntimeBootstrap bootstrap,
    MigrationCatalog migrations,
    MigrationRunner runner,
    IServiceProvider services,
    RuntimeReadiness readiness,
    ILogger<RuntimeStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await bootstrap.StartAsync(cancellationToken);
        foreach (var set in migrations.Sets)
        {
            var applied = await runner.ApplyAsync(services.GetRequiredKeyedService<NpgsqlDataSource>(set.AppId), set, cancellationToken);
            if (applied > 0)
            {
                logger.LogInformation("Schema {Schema:l} of {AppId:l}: {Count} migration(s) applied", set.Schema, set.AppId, applied);
            }
        }

        readiness.MarkReady();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
