using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// A background loop that drains one queue table of the module in batches of <see cref="BatchSize"/>: straight on after a
/// full batch, otherwise it waits for its signal (something was just queued) or the poll interval. A failed batch is logged
/// and tried again; on shutdown, what a batch had claimed comes back to the queue when its lease ends.
/// </summary>
public abstract class QueueDrain : BackgroundService
{
    protected const int BatchSize = 20;

    private readonly RuntimeReadiness _readiness;
    private readonly AsyncSignal _signal;

    protected QueueDrain(RuntimeReadiness readiness, AsyncSignal signal, ILogger logger)
    {
        _readiness = readiness;
        _signal = signal;
        Logger = logger;
    }

    protected ILogger Logger { get; }

    /// <summary>What a batch does, for the log line of a failed one ("Sending mail").</summary>
    protected abstract string Work { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>Handles one batch of due rows; returns how many it claimed.</summary>
    protected abstract Task<int> DrainOnceAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _readiness.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var handled = 0;
                try
                {
                    handled = await DrainOnceAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    Logger.LogError(e, "{Work} failed; trying again shortly", Work);
                }

                if (handled < BatchSize)
                {
                    await _signal.WaitAsync(PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down; claimed rows come back when their lease ends
        }
    }
}
