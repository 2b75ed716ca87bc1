using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.Queue.Domain;

/// <summary>
/// The admitting loop: one per host (the queue module runs as one replica, ADR 0020). Every tick it opens the queues
/// that are due (the shuffle), admits a wave where one is due and seats are still free, and refreshes the positions
/// polls are answered from.
/// </summary>
public sealed class QueueAdmitter(
    QueueBoard board,
    QueueMetrics metrics,
    RuntimeReadiness readiness,
    [FromKeyedServices(QueueModule.Id)] IServiceInvoker invoker,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<QueueAdmitter> logger) : BackgroundService
{
    private readonly SemaphoreSlim _tick = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitAsync(stoppingToken);
        await board.LoadAsync(stoppingToken);
        metrics.ObserveWaiting(() => board.Lines.Sum(l => (long)l.Waiting));
        using var timer = new PeriodicTimer(options.Value.TickInterval, time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The queue's admitting tick failed; trying again at the next");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override void Dispose()
    {
        _tick.Dispose();
        base.Dispose();
    }

    /// <summary>One pass over every queue; tests call it to step the queue deterministically.</summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        await board.WaitLoadedAsync(cancellationToken);
        await _tick.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            foreach (var line in board.Lines.Where(l => l.Settings.Queued))
            {
                var changed = false;
                if (now >= line.Settings.OpensAt)
                {
                    changed |= await board.ShuffleUnplacedAsync(line, cancellationToken) > 0;
                    if (line.LastWaveAt + line.Settings.WaveInterval <= now && line.Waiting > 0)
                    {
                        changed |= await WaveAsync(line, now, cancellationToken);
                    }
                }

                if (changed || line.Waiting != line.Entries.Count(e => e.Value.Status == EntryStatuses.Waiting))
                {
                    line.RefreshPositions();
                }
            }
        }
        finally
        {
            _tick.Release();
        }
    }

    private async Task<bool> WaveAsync(Line line, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var free = await FreeSeatsAsync(line.Settings.EventId, cancellationToken);
        await board.SetSoldOutAsync(line, free == 0, cancellationToken);
        if (free == 0)
        {
            return false;
        }

        // Never more than inventory shows free: a fan admitted to nothing would only be told so at the hold.
        var size = (int)Math.Min(line.Settings.WaveSize ?? options.Value.MaxDerivedWave, free ?? long.MaxValue);
        var admitted = await board.AdmitAsync(line, size, cancellationToken);
        if (QueueBoard.FixedRate(line.Settings) is null && line.LastWaveAt != DateTimeOffset.MinValue)
        {
            line.AdmissionRatePerMinute = admitted * 60.0 / Math.Max(1, (now - line.LastWaveAt).TotalSeconds);
        }

        line.LastWaveAt = now;
        return admitted > 0;
    }

    /// <summary>Seats and places still free (neither held nor sold) by inventory's availability; null when inventory cannot say.</summary>
    private async Task<long?> FreeSeatsAsync(Guid eventId, CancellationToken cancellationToken)
    {
        try
        {
            var client = invoker.CreateHttpClient("inventory");
            using var response = await client.GetAsync(new Uri($"api/inventory/events/{eventId}/availability", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var availability = await response.Content.ReadFromJsonAsync<Availability>(cancellationToken);
            return availability is null ? null
                : availability.Sections.Sum(s => s.Zones.Sum(z => (long)z.Available)) + availability.GeneralAdmission.Sum(g => (long)g.Available);
        }
        catch (Exception ex) when (ex is HttpRequestException or ServiceInvocationException or System.Text.Json.JsonException)
        {
            logger.LogWarning(ex, "Inventory's availability of {EventId} could not be read; admitting the wave anyway", eventId);
            return null;
        }
    }

    private sealed record Availability(IReadOnlyList<SectionCounts> Sections, IReadOnlyList<Counts> GeneralAdmission);

    private sealed record SectionCounts(IReadOnlyList<Counts> Zones);

    private sealed record Counts(int Available);
}
