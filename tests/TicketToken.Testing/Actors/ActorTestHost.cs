using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Testing.Actors;

/// <summary>
/// Actors run by the same <see cref="ActorRuntime"/> both hosts use (one turn at a time, the state manager's commit when a
/// turn returns and discard when it throws, every call serialized through a typed proxy), but over an in-memory state store
/// and reminder and timer registry, on a clock the test moves: an actor's own logic tested in milliseconds, with no host and
/// no PostgreSQL (what Dapr's <c>ActorHost.CreateForTest</c> offers, with real turns). Reminders and timers fire only when
/// the test says so (<see cref="FireDueRemindersAsync"/>), so what is due is decided by <see cref="Clock"/>, never by the machine.
/// </summary>
public sealed class ActorTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ActorRuntime _runtime;
    private readonly InMemoryActorTimers _timers;

    private ActorTestHost(IReadOnlyList<ActorTypeInformation> types, Action<IServiceCollection>? configure, DateTimeOffset start)
    {
        Clock = new FakeTimeProvider(start);
        Store = new InMemoryActorStore();
        _timers = new InMemoryActorTimers(Clock);
        var registry = new ActorRegistry();
        foreach (var type in types)
        {
            registry.Add(type);
        }

        var invoker = new RuntimeInvoker();
        Proxies = new ActorProxyFactory(invoker);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Proxies);
        configure?.Invoke(services);
        _services = services.BuildServiceProvider();
        _runtime = new ActorRuntime(registry, _services, Store, _timers, Proxies, NullLoggerFactory.Instance, Clock,
            Options.Create(new ActorRuntimeOptions()));
        invoker.Runtime = _runtime;
    }

    /// <summary>The clock of every actor here (its <c>Host.TimeProvider</c>); reminders are due by it.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>What the actors committed: their state and their reminders.</summary>
    public InMemoryActorStore Store { get; }

    public IActorProxyFactory Proxies { get; }

    public IServiceProvider Services => _services;

    /// <summary>
    /// Hosts <paramref name="actors"/> (implementation, actor type name); <paramref name="services"/> adds what their
    /// constructors take besides the <see cref="ActorHost"/> (a publisher, options).
    /// </summary>
    public static ActorTestHost Create(Action<IServiceCollection>? services, params (Type Implementation, string TypeName)[] actors) =>
        new([.. actors.Select(a => ActorTypeInformation.Create(a.Implementation, a.TypeName))], services, new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero));

    /// <summary>A typed proxy, as another module reaches the actor: every call is a serialized turn.</summary>
    public TActor Proxy<TActor>(string actorType, string actorId) where TActor : IActor =>
        Proxies.CreateActorProxy<TActor>(new ActorId(actorId), actorType);

    /// <summary>
    /// Fires, as turns in due order, every reminder due by <see cref="Clock"/>, and those the firings make due, until none is
    /// left; answers how many fired. A one-shot reminder is gone after it fired unless its turn registered it again; a
    /// periodic one moves on by its period.
    /// </summary>
    public async Task<int> FireDueRemindersAsync()
    {
        var fired = 0;
        while (Store.NextDue(Clock.GetUtcNow()) is { } due)
        {
            if (++fired > 10_000)
            {
                throw new InvalidOperationException($"Reminders keep coming due (the last: {due.ActorType}/{due.ActorId} {due.Reminder.Name}): an actor re-arms at once forever.");
            }

            var reminder = due.Reminder;
            await _runtime.FireReminderAsync(due.ActorType, due.ActorId, reminder.Name, reminder.Data, TimeSpan.Zero, reminder.Period ?? TimeSpan.Zero, CancellationToken.None);
            Store.Fired(due, Clock.GetUtcNow());
        }

        return fired;
    }

    /// <summary>Fires every timer due by <see cref="Clock"/> once, as turns; answers how many fired.</summary>
    public async Task<int> FireDueTimersAsync()
    {
        var fired = 0;
        foreach (var (actorType, actorId, timer) in _timers.TakeDue())
        {
            await _runtime.FireTimerAsync(actorType, actorId, timer.Callback, timer.State, CancellationToken.None);
            fired++;
        }

        return fired;
    }

    /// <summary>Ends the activation: the next call starts from what <see cref="Store"/> holds, as after a restart.</summary>
    public Task DeactivateAsync(string actorType, string actorId) => _runtime.DeactivateAsync(actorType, actorId);

    public async ValueTask DisposeAsync()
    {
        await _runtime.DisposeAsync();
        await _services.DisposeAsync();
    }

    private sealed class RuntimeInvoker : IActorInvoker
    {
        public ActorRuntime Runtime { get; set; } = null!;

        public Task<byte[]> InvokeMethodAsync(string actorType, string actorId, string method, byte[] payload, CancellationToken cancellationToken) =>
            Runtime.InvokeMethodAsync(actorType, actorId, method, payload, cancellationToken);
    }
}

/// <summary>A reminder an actor committed, with the actor it belongs to.</summary>
public sealed record StoredReminder(string ActorType, string ActorId, ActorReminderChange Reminder);

/// <summary>Actor state and reminders in memory, written only by committed turns (as the PostgreSQL and Dapr stores are).</summary>
public sealed class InMemoryActorStore : IActorStateStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Type, string Id, string Key), byte[]> _state = [];
    private readonly Dictionary<(string Type, string Id, string Name), ActorReminderChange> _reminders = [];

    /// <summary>How many turns committed.</summary>
    public int Commits { get; private set; }

    public IReadOnlyList<StoredReminder> Reminders
    {
        get
        {
            lock (_gate)
            {
                return [.. _reminders.Select(r => new StoredReminder(r.Key.Type, r.Key.Id, r.Value))];
            }
        }
    }

    public bool Contains(string actorType, string actorId, string key)
    {
        lock (_gate)
        {
            return _state.ContainsKey((actorType, actorId, key));
        }
    }

    public Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_state.TryGetValue((actorType, actorId, key), out var value) ? new ActorStateValue(true, value.ToArray()) : default);
        }
    }

    public Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state, IReadOnlyList<ActorReminderChange> reminders,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var change in state)
            {
                if (change.IsRemove)
                {
                    _state.Remove((actorType, actorId, change.Key));
                }
                else
                {
                    _state[(actorType, actorId, change.Key)] = change.Value!.ToArray();
                }
            }

            foreach (var reminder in reminders)
            {
                if (reminder.Remove)
                {
                    _reminders.Remove((actorType, actorId, reminder.Name));
                }
                else
                {
                    _reminders[(actorType, actorId, reminder.Name)] = reminder;
                }
            }

            Commits++;
        }

        return Task.CompletedTask;
    }

    internal StoredReminder? NextDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _reminders.Where(r => r.Value.DueAt <= now).OrderBy(r => r.Value.DueAt).ThenBy(r => r.Key.Name, StringComparer.Ordinal)
                .Select(r => new StoredReminder(r.Key.Type, r.Key.Id, r.Value)).FirstOrDefault();
        }
    }

    /// <summary>After a firing: the registration that fired is dropped (one-shot) or moved past now (periodic); one its turn made instead stays.</summary>
    internal void Fired(StoredReminder fired, DateTimeOffset now)
    {
        lock (_gate)
        {
            var key = (fired.ActorType, fired.ActorId, fired.Reminder.Name);
            if (!_reminders.TryGetValue(key, out var current) || !ReferenceEquals(current, fired.Reminder))
            {
                return;
            }

            if (current.Period is not { } period)
            {
                _reminders.Remove(key);
                return;
            }

            var next = current.DueAt;
            while (next <= now)
            {
                next += period;
            }

            _reminders[key] = current with { DueAt = next };
        }
    }
}

/// <summary>Timers of live activations, due by the test's clock; they end with their activation, as the runtimes' do.</summary>
internal sealed class InMemoryActorTimers(TimeProvider clock) : IActorTimerScheduler
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Type, string Id, string Name), (ActorTimer Timer, DateTimeOffset DueAt)> _timers = [];

    public Task RegisterAsync(string actorType, string actorId, ActorTimer timer, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _timers[(actorType, actorId, timer.Name)] = (timer, clock.GetUtcNow() + timer.DueTime);
        }

        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _timers.Remove((actorType, actorId, timerName));
        }

        return Task.CompletedTask;
    }

    public void OnDeactivated(string actorType, string actorId)
    {
        lock (_gate)
        {
            foreach (var key in _timers.Keys.Where(k => k.Type == actorType && k.Id == actorId).ToList())
            {
                _timers.Remove(key);
            }
        }
    }

    /// <summary>The timers due now; a one-shot one is gone, a periodic one is due again a period later.</summary>
    public IReadOnlyList<(string ActorType, string ActorId, ActorTimer Timer)> TakeDue()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var due = _timers.Where(t => t.Value.DueAt <= now).OrderBy(t => t.Value.DueAt).ToList();
            foreach (var (key, (timer, dueAt)) in due)
            {
                if (timer.Period > TimeSpan.Zero)
                {
                    _timers[key] = (timer, dueAt + timer.Period);
                }
                else
                {
                    _timers.Remove(key);
                }
            }

            return [.. due.Select(t => (t.Key.Type, t.Key.Id, t.Value.Timer))];
        }
    }
}
