using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Actors;

internal sealed class ActorStateManager : IActorStateManager
{
    private enum Change
    {
        None,
        Upsert,
        Remove,

        /// <summary>Removed and committed (or being committed): absent without asking the store.</summary>
        Absent,
    }

    private sealed class Entry(object? value, Type type, Change change)
    {
        public object? Value { get; set; } = value;
        public Type Type { get; set; } = type;
        public Change Change { get; set; } = change;
    }

    private readonly string _actorType;
    private readonly string _actorId;
    private readonly IActorStateStore _store;
    private readonly Dictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly List<ActorReminderChange> _reminders = [];
    private readonly CommitPipeline _pipeline;

    public ActorStateManager(string actorType, string actorId, IActorStateStore store)
    {
        _actorType = actorType;
        _actorId = actorId;
        _store = store;
        _pipeline = new CommitPipeline(actorType, actorId, store);
    }

    public async Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        var found = await TryGetStateAsync<T>(stateName, cancellationToken);
        return found.HasValue
            ? found.Value
            : throw new KeyNotFoundException($"Actor {_actorType}/{_actorId} has no state named '{stateName}'.");
    }

    public async Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
    {
        var entry = await LoadAsync<T>(stateName, cancellationToken);
        return entry is null || entry.Change is Change.Remove or Change.Absent ? default : new ConditionalValue<T>(true, (T)entry.Value!);
    }

    public async Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(stateName, out var cached))
        {
            return cached.Change is not (Change.Remove or Change.Absent);
        }

        var loaded = await _store.LoadAsync(_actorType, _actorId, stateName, cancellationToken);
        return loaded.Found;
    }

    public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(stateName, out var entry))
        {
            entry.Value = value;
            entry.Type = typeof(T);
            entry.Change = Change.Upsert;
        }
        else
        {
            _cache[stateName] = new Entry(value, typeof(T), Change.Upsert);
        }

        return Task.CompletedTask;
    }

    public async Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        if (!await TryAddStateAsync(stateName, value, cancellationToken))
        {
            throw new InvalidOperationException($"Actor {_actorType}/{_actorId} already has state named '{stateName}'.");
        }
    }

    public async Task<bool> TryAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        if (await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        await SetStateAsync(stateName, value, cancellationToken);
        return true;
    }

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        var existing = await TryGetStateAsync<T>(stateName, cancellationToken);
        if (existing.HasValue)
        {
            return existing.Value;
        }

        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default)
    {
        var existing = await TryGetStateAsync<T>(stateName, cancellationToken);
        var value = existing.HasValue ? updateValueFactory(stateName, existing.Value) : addValue;
        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    public async Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await TryRemoveStateAsync(stateName, cancellationToken))
        {
            throw new KeyNotFoundException($"Actor {_actorType}/{_actorId} has no state named '{stateName}'.");
        }
    }

    public async Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (!await ContainsStateAsync(stateName, cancellationToken))
        {
            return false;
        }

        _cache[stateName] = new Entry(null, typeof(object), Change.Remove);
        return true;
    }

    /// <summary>Commits what changed so far and waits until it is durable (the turn commits again at its end).</summary>
    public Task SaveStateAsync(CancellationToken cancellationToken = default) => CommitAsync();

    /// <summary>
    /// Hands what this turn changed to the commit pipeline and returns when it is durable, together with
    /// everything earlier turns changed. The cache keeps the new values, so the next turn may run before then.
    /// </summary>
    internal Task CommitAsync()
    {
        List<ActorStateChange>? changes = null;
        foreach (var (key, entry) in _cache)
        {
            switch (entry.Change)
            {
                case Change.Upsert:
                    (changes ??= []).Add(new ActorStateChange(key, RuntimeJson.Serialize(entry.Value, entry.Type)));
                    entry.Change = Change.None;
                    break;
                case Change.Remove:
                    (changes ??= []).Add(new ActorStateChange(key, null));
                    entry.Change = Change.Absent; // not read back from the store, where the removal may not have landed yet
                    break;
            }
        }

        var committed = _pipeline.Enqueue(changes ?? [], _reminders.Count == 0 ? [] : [.. _reminders]);
        _reminders.Clear();
        return committed;
    }

    /// <summary>A commit of this activation failed: its memory is ahead of the store and it must not serve another turn.</summary>
    internal bool Broken => _pipeline.Failed;

    /// <summary>Completes once no commit of this activation is in flight (successful or not).</summary>
    internal Task DrainAsync() => _pipeline.DrainAsync();

    public Task ClearCacheAsync(CancellationToken cancellationToken = default)
    {
        Discard();
        return Task.CompletedTask;
    }

    /// <summary>Forgets everything uncommitted; the next read reloads from the store.</summary>
    internal void Discard()
    {
        _cache.Clear();
        _reminders.Clear();
    }

    internal void BufferReminder(ActorReminderChange change)
    {
        _reminders.RemoveAll(r => r.Name == change.Name);
        _reminders.Add(change);
    }

    private async Task<Entry?> LoadAsync<T>(string stateName, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(stateName, out var cached))
        {
            if (cached.Change is not (Change.Remove or Change.Absent) && cached.Value is not null && cached.Value is not T)
            {
                throw new InvalidCastException($"State '{stateName}' of actor {_actorType}/{_actorId} holds a {cached.Type.Name}, not a {typeof(T).Name}.");
            }

            return cached;
        }

        var loaded = await _store.LoadAsync(_actorType, _actorId, stateName, cancellationToken);
        if (!loaded.Found)
        {
            return null;
        }

        var entry = new Entry(RuntimeJson.Deserialize<T>(loaded.Value.Span), typeof(T), Change.None);
        _cache[stateName] = entry;
        return entry;
    }
}
