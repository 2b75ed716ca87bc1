namespace TicketToken.BuildingBlocks.Actors;

/// <summary>Client side of actors: carries a serialized call to wherever the actor lives.</summary>
public interface IActorInvoker
{
    Task<byte[]> InvokeMethodAsync(string actorType, string actorId, string method, byte[] payload, CancellationToken cancellationToken);
}

/// <summary>Where actor state and reminders persist (PostgreSQL embedded, the sidecar with Dapr).</summary>
public interface IActorStateStore
{
    Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Commits a turn: state changes atomically; reminder changes with them when the store can
    /// (embedded), or just before them (Dapr), so a committed turn never lacks its reminders.
    /// </summary>
    Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state,
        IReadOnlyList<ActorReminderChange> reminders, CancellationToken cancellationToken);
}

/// <summary>Non-durable timers, fired as turns while the activation lives.</summary>
public interface IActorTimerScheduler
{
    Task RegisterAsync(string actorType, string actorId, ActorTimer timer, CancellationToken cancellationToken);
    Task UnregisterAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken);

    /// <summary>Called when an activation ends: its timers stop.</summary>
    void OnDeactivated(string actorType, string actorId);
}

public readonly record struct ActorStateValue(bool Found, ReadOnlyMemory<byte> Value);

public sealed record ActorStateChange(string Key, byte[]? Value)
{
    public bool IsRemove => Value is null;
}

/// <summary>A reminder registration (with an absolute due time) or removal, buffered until the turn commits.</summary>
public sealed record ActorReminderChange(string Name, bool Remove, DateTimeOffset DueAt, TimeSpan? Period, byte[]? Data);
