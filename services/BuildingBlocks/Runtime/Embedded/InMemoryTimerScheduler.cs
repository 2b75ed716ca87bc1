using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Actor timers in memory: each fires as a turn; the next period starts after the callback returns.</summary>
internal sealed class InMemoryTimerScheduler(IServiceProvider services, TimeProvider time, ILogger<InMemoryTimerScheduler> logger) : IActorTimerScheduler, IDisposable
{
    private readonly ConcurrentDictionary<(string Type, string Id, string Name), ITimer> _timers = new();

    public Task RegisterAsync(string actorType, string actorId, ActorTimer timer, CancellationToken cancellationToken)
    {
        var key = (actorType, actorId, timer.Name);
        var handle = time.CreateTimer(_ => _ = FireAsync(key, timer), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_timers.TryRemove(key, out var previous))
        {
            previous.Dispose();
        }

        _timers[key] = handle;
        handle.Change(timer.DueTime < TimeSpan.Zero ? TimeSpan.Zero : timer.DueTime, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken)
    {
        if (_timers.TryRemove((actorType, actorId, timerName), out var handle))
        {
            handle.Dispose();
        }

        return Task.CompletedTask;
    }

    public void OnDeactivated(string actorType, string actorId)
    {
        foreach (var key in _timers.Keys.Where(k => k.Type == actorType && k.Id == actorId))
        {
            if (_timers.TryRemove(key, out var handle))
            {
                handle.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var handle in _timers.Values)
        {
            handle.Dispose();
        }

        _timers.Clear();
    }

    private async Task FireAsync((string Type, string Id, string Name) key, ActorTimer timer)
    {
        if (!_timers.TryGetValue(key, out var handle))
        {
            return;
        }

        try
        {
            await services.GetRequiredService<ActorRuntime>().FireTimerAsync(key.Type, key.Id, timer.Callback, timer.State, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Timer {Timer} of actor {ActorType}/{ActorId} failed", key.Name, key.Type, key.Id);
        }

        if (timer.Period > TimeSpan.Zero && _timers.TryGetValue(key, out var current) && ReferenceEquals(current, handle))
        {
            try
            {
                handle.Change(timer.Period, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // unregistered while the callback ran
            }
        }
        else if (timer.Period <= TimeSpan.Zero)
        {
            _timers.TryRemove(new KeyValuePair<(string, string, string), ITimer>(key, handle));
            handle.Dispose();
        }
    }
}
