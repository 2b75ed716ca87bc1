using System.Text;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Runtime.ConformanceHost.Actors;

public interface ICounterActor : IActor
{
    Task<long> IncrementAsync();
    Task<long> GetAsync();

    /// <summary>Changes state, then throws: the change must not survive.</summary>
    Task<long> IncrementThenFailAsync();

    /// <summary>No state change: measures the call path itself.</summary>
    Task<long> EchoAsync(long value);

    Task<IReadOnlyList<int>> AppendAsync(int value);

    /// <summary>Removes the log that <see cref="AppendAsync"/> builds.</summary>
    Task<bool> ClearLogAsync();
}

public sealed class CounterActor(ActorHost host) : Actor(host), ICounterActor
{
    private int _inTurn;

    public async Task<long> IncrementAsync()
    {
        using var _ = Turn();
        var count = (await StateManager.TryGetStateAsync<long>("count")).Value + 1;
        await Task.Yield(); // give a racing turn every chance to interleave
        await StateManager.SetStateAsync("count", count);
        return count;
    }

    public async Task<long> GetAsync() => (await StateManager.TryGetStateAsync<long>("count")).Value;

    public async Task<long> IncrementThenFailAsync()
    {
        await IncrementAsync();
        throw new InvalidOperationException("failing after the state change");
    }

    public Task<long> EchoAsync(long value) => Task.FromResult(value);

    public Task<bool> ClearLogAsync() => StateManager.TryRemoveStateAsync("log");

    public async Task<IReadOnlyList<int>> AppendAsync(int value)
    {
        var log = await StateManager.GetOrAddStateAsync("log", new List<int>());
        log.Add(value);
        await StateManager.SetStateAsync("log", log);
        return log;
    }

    /// <summary>Proves turns never overlap: a second concurrent entry throws.</summary>
    private TurnGuard Turn()
    {
        if (Interlocked.Exchange(ref _inTurn, 1) == 1)
        {
            throw new InvalidOperationException("Two turns ran at once on one actor.");
        }

        return new TurnGuard(this);
    }

    private readonly struct TurnGuard(CounterActor actor) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref actor._inTurn, 0);
    }
}

public sealed record ReminderRequest(string ActorId, string Name, int DueMs, int PeriodMs, string? Data);

public interface IReminderActor : IActor
{
    Task ScheduleAsync(ReminderRequest request);
    Task CancelAsync(string name);
    Task<int> FiredAsync();
}

/// <summary>Records every reminder it receives in a table, so a test can see fires across restarts.</summary>
public sealed class ReminderActor(ActorHost host, ConformanceDb db) : Actor(host), IReminderActor, IRemindable
{
    public Task ScheduleAsync(ReminderRequest request) =>
        RegisterReminderAsync(request.Name, request.Data is null ? null : Encoding.UTF8.GetBytes(request.Data),
            TimeSpan.FromMilliseconds(request.DueMs), TimeSpan.FromMilliseconds(request.PeriodMs));

    public Task CancelAsync(string name) => UnregisterReminderAsync(name);

    public async Task<int> FiredAsync() => (await StateManager.TryGetStateAsync<int>("fired")).Value;

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        var data = state is null ? null : Encoding.UTF8.GetString(state);
        await db.ExecuteAsync("insert into conformance.reminder_fires (actor_id, name, data) values ($1, $2, $3)", Id.Id, reminderName, data);
        var firstDelivery = await db.ExecuteAsync("insert into conformance.crash_markers (key) values ($1) on conflict do nothing", $"{Id.Id}/{reminderName}") == 1;
        if (data == "fail-first" && firstDelivery)
        {
            throw new InvalidOperationException("the first delivery of this reminder fails");
        }

        await StateManager.SetStateAsync("fired", (await StateManager.TryGetStateAsync<int>("fired")).Value + 1);
    }
}

public interface ITimerActor : IActor
{
    Task StartAsync(int periodMs);
    Task StopAsync();
    Task<int> TicksAsync();
}

public sealed class TimerActor(ActorHost host) : Actor(host), ITimerActor
{
    public Task StartAsync(int periodMs) =>
        RegisterTimerAsync("tick", nameof(TickAsync), Encoding.UTF8.GetBytes("payload"), TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));

    public Task StopAsync() => UnregisterTimerAsync("tick");

    public async Task<int> TicksAsync() => (await StateManager.TryGetStateAsync<int>("ticks")).Value;

    private async Task TickAsync(byte[]? state)
    {
        if (state is null || Encoding.UTF8.GetString(state) != "payload")
        {
            throw new InvalidOperationException("The timer lost its state.");
        }

        await StateManager.SetStateAsync("ticks", (await StateManager.TryGetStateAsync<int>("ticks")).Value + 1);
    }
}

public interface ILifecycleActor : IActor
{
    Task<int> TouchAsync();
}

/// <summary>Logs activations and deactivations to a table; keeps a touch count in state.</summary>
public sealed class LifecycleActor(ActorHost host, ConformanceDb db) : Actor(host), ILifecycleActor
{
    public async Task<int> TouchAsync()
    {
        var touches = (await StateManager.TryGetStateAsync<int>("touches")).Value + 1;
        await StateManager.SetStateAsync("touches", touches);
        return touches;
    }

    protected override Task OnActivateAsync() =>
        db.ExecuteAsync("insert into conformance.lifecycle (actor_id, event) values ($1, 'activate')", Id.Id);

    protected override Task OnDeactivateAsync() =>
        db.ExecuteAsync("insert into conformance.lifecycle (actor_id, event) values ($1, 'deactivate')", Id.Id);
}
