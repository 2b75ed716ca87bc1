using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TicketToken.BuildingBlocks.Actors;

public sealed class ActorRuntimeOptions
{
    /// <summary>An activation idle this long is deactivated (Dapr's default is 60 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Every actor type the modules of this host registered.</summary>
public sealed class ActorRegistry
{
    private readonly Dictionary<string, ActorTypeInformation> _types = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ActorTypeInformation> Types => _types.Values;

    public void Add(ActorTypeInformation type)
    {
        if (!_types.TryAdd(type.TypeName, type))
        {
            throw new InvalidOperationException($"Actor type '{type.TypeName}' is registered twice.");
        }
    }

    public bool IsHosted(string actorType) => _types.ContainsKey(actorType);

    public ActorTypeInformation Get(string actorType) =>
        _types.TryGetValue(actorType, out var type)
            ? type
            : throw new ActorNotFoundException($"Actor type '{actorType}' is not hosted here. Is its module enabled in TICKETTOKEN__SERVICES?");
}

/// <summary>
/// The app side of actors, shared by both runtimes: activations, turn-based concurrency, the state
/// manager's commit or discard at the end of each turn, reminder and timer turns, idle deactivation.
/// The embedded runtime calls it in-process; the Dapr runtime calls it from the sidecar's callbacks.
/// </summary>
public sealed class ActorRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Type, string Id), ActorActivation> _activations = new();
    private readonly ActorRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly IActorStateStore _stateStore;
    private readonly IActorTimerScheduler _timers;
    private readonly IActorProxyFactory _proxyFactory;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ActorRuntimeOptions _options;
    private readonly ILogger<ActorRuntime> _logger;

    public ActorRuntime(ActorRegistry registry, IServiceProvider services, IActorStateStore stateStore, IActorTimerScheduler timers,
        IActorProxyFactory proxyFactory, ILoggerFactory loggerFactory, TimeProvider time, IOptions<ActorRuntimeOptions> options)
    {
        _registry = registry;
        _services = services;
        _stateStore = stateStore;
        _timers = timers;
        _proxyFactory = proxyFactory;
        _loggerFactory = loggerFactory;
        _time = time;
        _options = options.Value;
        _logger = loggerFactory.CreateLogger<ActorRuntime>();
    }

    public ActorRegistry Registry => _registry;

    public ActorRuntimeOptions Options => _options;

    public int ActiveCount => _activations.Count;

    public async Task<byte[]> InvokeMethodAsync(string actorType, string actorId, string method, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var bound = _registry.Get(actorType).GetMethod(method);
        try
        {
            return await RunTurnAsync(actorType, actorId, actor => bound.Invoke(actor, payload), cancellationToken);
        }
        catch (Exception ex) when (ex is not ActorNotFoundException and not OperationCanceledException)
        {
            throw new ActorMethodInvocationException(actorType, method, ex.GetType().FullName ?? ex.GetType().Name, ex.Message, ex);
        }
    }

    public Task FireReminderAsync(string actorType, string actorId, string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period, CancellationToken cancellationToken) =>
        RunTurnAsync<bool>(actorType, actorId, async actor =>
        {
            if (actor is not IRemindable remindable)
            {
                throw new InvalidOperationException($"Actor type '{actorType}' received reminder '{reminderName}' but is not {nameof(IRemindable)}.");
            }

            await remindable.ReceiveReminderAsync(reminderName, state, dueTime, period);
            return true;
        }, cancellationToken);

    public Task FireTimerAsync(string actorType, string actorId, string callback, byte[]? state, CancellationToken cancellationToken)
    {
        var invoke = _registry.Get(actorType).GetTimerCallback(callback);
        return RunTurnAsync<bool>(actorType, actorId, async actor =>
        {
            await invoke(actor, state);
            return true;
        }, cancellationToken);
    }

    /// <summary>True when the actor is active and no turn of it runs or waits (its commits may still be in flight).</summary>
    internal bool IsIdle(string actorType, string actorId) =>
        _activations.TryGetValue((actorType, actorId), out var activation) && !activation.Lock.IsHeld;

    /// <summary>Deactivates one actor now (the Dapr sidecar asks for this when it rebalances).</summary>
    public async Task DeactivateAsync(string actorType, string actorId)
    {
        if (_activations.TryGetValue((actorType, actorId), out var activation))
        {
            await activation.Lock.EnterAsync();
            try
            {
                await EndAsync(activation);
            }
            finally
            {
                activation.Lock.Exit();
            }
        }
    }

    /// <summary>Deactivates every activation idle for longer than the idle timeout.</summary>
    public async Task<int> DeactivateIdleAsync()
    {
        var cutoff = _time.GetTimestamp() - (long)(_options.IdleTimeout.TotalSeconds * _time.TimestampFrequency);
        var count = 0;
        foreach (var activation in _activations.Values)
        {
            if (Volatile.Read(ref activation.LastUsed) > cutoff || Volatile.Read(ref activation.Pending) > 0 || !activation.Lock.TryEnter())
            {
                continue;
            }

            try
            {
                if (activation.Pending == 0 && !activation.Deactivated)
                {
                    await EndAsync(activation);
                    count++;
                }
            }
            finally
            {
                activation.Lock.Exit();
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var activation in _activations.Values)
        {
            await activation.Lock.EnterAsync();
            try
            {
                await EndAsync(activation);
            }
            finally
            {
                activation.Lock.Exit();
            }
        }
    }

    /// <summary>
    /// Runs one turn under the activation's lock and releases the lock when the turn's work is done; the caller
    /// is answered once the turn's changes (and every earlier turn's) are durable. See <see cref="CommitPipeline"/>.
    /// </summary>
    private async Task<T> RunTurnAsync<T>(string actorType, string actorId, Func<Actor, Task<T>> work, CancellationToken cancellationToken)
    {
        var type = _registry.Get(actorType);
        while (true)
        {
            var activation = _activations.GetOrAdd((actorType, actorId), static (key, t) => new ActorActivation(t, new ActorId(key.Id)), type);
            Interlocked.Increment(ref activation.Pending);
            T result;
            Task committed;
            await activation.Lock.EnterAsync();
            try
            {
                if (activation.Deactivated)
                {
                    Interlocked.Decrement(ref activation.Pending);
                    continue;
                }

                if (activation.Instance is { InternalStateManager.Broken: true })
                {
                    // A commit failed after this activation's memory moved past it: start again from the store.
                    await AbandonAsync(activation);
                    Interlocked.Decrement(ref activation.Pending);
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var actor = activation.Instance ?? await ActivateAsync(activation);
                try
                {
                    result = await work(actor);
                    committed = actor.InternalStateManager.CommitAsync();
                }
                catch
                {
                    actor.InternalStateManager.Discard();
                    // The turn's state changes are gone, but the instance's own fields may hold them: the next
                    // turn starts from a fresh activation that reads only what was committed.
                    await AbandonAsync(activation);
                    throw;
                }
            }
            catch
            {
                Interlocked.Decrement(ref activation.Pending);
                throw;
            }
            finally
            {
                Volatile.Write(ref activation.LastUsed, _time.GetTimestamp());
                activation.Lock.Exit();
            }

            try
            {
                await committed;
                return result;
            }
            finally
            {
                Interlocked.Decrement(ref activation.Pending);
            }
        }
    }

    private async Task<Actor> ActivateAsync(ActorActivation activation)
    {
        var scope = _services.CreateAsyncScope();
        try
        {
            var host = new ActorHost(activation.Type, activation.Id, _loggerFactory, _proxyFactory, _stateStore, _timers, _time);
            var actor = (Actor)ActivatorUtilities.CreateInstance(scope.ServiceProvider, activation.Type.ImplementationType, host);
            await actor.OnActivateAsync();
            await actor.InternalStateManager.CommitAsync();
            activation.Scope = scope;
            activation.Instance = actor;
            return actor;
        }
        catch
        {
            activation.Deactivated = true;
            _activations.TryRemove(new KeyValuePair<(string, string), ActorActivation>((activation.Type.TypeName, activation.Id.Id), activation));
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends an activation; the caller holds its turn lock.</summary>
    private async Task EndAsync(ActorActivation activation)
    {
        if (activation.Deactivated)
        {
            return;
        }

        activation.Deactivated = true;
        _timers.OnDeactivated(activation.Type.TypeName, activation.Id.Id);
        if (activation.Instance is { } actor)
        {
            try
            {
                await actor.OnDeactivateAsync();
                await actor.InternalStateManager.CommitAsync();
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Deactivating actor {ActorType}/{ActorId} failed", activation.Type.TypeName, activation.Id);
            }

            await actor.InternalStateManager.DrainAsync(); // a next activation reads only what is committed
        }

        _activations.TryRemove(new KeyValuePair<(string, string), ActorActivation>((activation.Type.TypeName, activation.Id.Id), activation));
        if (activation.Scope is { } scope)
        {
            await scope.DisposeAsync();
        }
    }

    /// <summary>Drops an activation after a failed turn, without running its deactivation; the caller holds its turn lock.</summary>
    private async Task AbandonAsync(ActorActivation activation)
    {
        if (activation.Instance is { } actor)
        {
            await actor.InternalStateManager.DrainAsync(); // the next activation must read what earlier turns committed
        }

        activation.Deactivated = true;
        _activations.TryRemove(new KeyValuePair<(string, string), ActorActivation>((activation.Type.TypeName, activation.Id.Id), activation));
        _timers.OnDeactivated(activation.Type.TypeName, activation.Id.Id);
        if (activation.Scope is { } scope)
        {
            await scope.DisposeAsync();
        }
    }

    private sealed class ActorActivation(ActorTypeInformation type, ActorId id)
    {
        public readonly TurnLock Lock = new();
        public int Pending;
        public long LastUsed;

        public ActorTypeInformation Type { get; } = type;
        public ActorId Id { get; } = id;
        public Actor? Instance { get; set; }
        public AsyncServiceScope? Scope { get; set; }
        public bool Deactivated { get; set; }
    }
}
