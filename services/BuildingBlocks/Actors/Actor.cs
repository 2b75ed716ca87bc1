using Microsoft.Extensions.Logging;

namespace TicketToken.BuildingBlocks.Actors;

/// <summary>
/// Base class of every actor (the Dapr SDK's shape). One activation per id runs one turn at a time;
/// state changes commit when a turn returns and are discarded when it throws.
/// </summary>
public abstract class Actor
{
    private readonly ActorStateManager _stateManager;

    protected Actor(ActorHost host)
    {
        Host = host;
        _stateManager = new ActorStateManager(host.ActorType, host.Id.Id, host.StateStore);
        Logger = host.LoggerFactory.CreateLogger(GetType());
    }

    public ActorHost Host { get; }

    public ActorId Id => Host.Id;

    public IActorStateManager StateManager => _stateManager;

    protected ILogger Logger { get; }

    internal ActorStateManager InternalStateManager => _stateManager;

    /// <summary>Runs as the first turn of an activation. Nothing is loaded eagerly.</summary>
    protected internal virtual Task OnActivateAsync() => Task.CompletedTask;

    /// <summary>Runs as the last turn of an activation (idle timeout or shutdown).</summary>
    protected internal virtual Task OnDeactivateAsync() => Task.CompletedTask;

    /// <summary>
    /// Registers (or replaces) a durable reminder; it commits with the turn. <paramref name="period"/> of
    /// zero or less fires once. The actor must implement <see cref="IRemindable"/>.
    /// </summary>
    protected Task<ActorReminder> RegisterReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (this is not IRemindable)
        {
            throw new InvalidOperationException($"{GetType().Name} registers reminders but does not implement {nameof(IRemindable)}.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(reminderName);
        var dueAt = Host.TimeProvider.GetUtcNow() + (dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
        TimeSpan? every = period > TimeSpan.Zero ? period : null;
        _stateManager.BufferReminder(new ActorReminderChange(reminderName, Remove: false, dueAt, every, state));
        return Task.FromResult(new ActorReminder(reminderName, state, dueTime, period));
    }

    /// <summary>Removes a reminder when the turn commits (no error if it does not exist).</summary>
    protected Task UnregisterReminderAsync(string reminderName)
    {
        _stateManager.BufferReminder(new ActorReminderChange(reminderName, Remove: true, default, null, null));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Registers a timer that calls the method named <paramref name="callback"/> (signature
    /// <c>Task Name(byte[]? state)</c> or <c>Task Name()</c>) as a turn. Timers are not durable.
    /// </summary>
    protected async Task<ActorTimer> RegisterTimerAsync(string? timerName, string callback, byte[]? callbackParams, TimeSpan dueTime, TimeSpan period)
    {
        Host.ActorTypeInfo.GetTimerCallback(callback);
        var timer = new ActorTimer(timerName ?? Guid.NewGuid().ToString("N"), callback, callbackParams, dueTime, period);
        await Host.TimerScheduler.RegisterAsync(Host.ActorType, Id.Id, timer, CancellationToken.None);
        return timer;
    }

    protected Task UnregisterTimerAsync(string timerName) =>
        Host.TimerScheduler.UnregisterAsync(Host.ActorType, Id.Id, timerName, CancellationToken.None);
}

/// <summary>What an actor instance knows about where it runs.</summary>
public sealed class ActorHost
{
    internal ActorHost(ActorTypeInformation typeInfo, ActorId id, ILoggerFactory loggerFactory, IActorProxyFactory proxyFactory,
        IActorStateStore stateStore, IActorTimerScheduler timerScheduler, TimeProvider timeProvider)
    {
        ActorTypeInfo = typeInfo;
        Id = id;
        LoggerFactory = loggerFactory;
        ProxyFactory = proxyFactory;
        StateStore = stateStore;
        TimerScheduler = timerScheduler;
        TimeProvider = timeProvider;
    }

    public ActorTypeInformation ActorTypeInfo { get; }
    public string ActorType => ActorTypeInfo.TypeName;
    public ActorId Id { get; }
    public ILoggerFactory LoggerFactory { get; }
    public IActorProxyFactory ProxyFactory { get; }
    public TimeProvider TimeProvider { get; }
    internal IActorStateStore StateStore { get; }
    internal IActorTimerScheduler TimerScheduler { get; }
}
