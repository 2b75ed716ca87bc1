using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Actors;

internal sealed class ActorStateManager : IActorStateManager
{
    private enum Change
    {
        None,
        Upsert,
        Remove,
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

    public ActorStateManager(string actorType, string actorId, IActorStateStore store)
    {
        _actorType = actorType;
        _actorId = actorId;
        _store = store;
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
        return entry is null || entry.Change == Change.Remove ? default : new ConditionalValue<T>(true, (T)entry.Value!);
    }

    public async Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(stateName, out var cached))
        {
            return cached.Change != Change.Remove;
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

    public async Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        List<ActorStateChange>? changes = null;
        foreach (var (key, entry) in _cache)
        {
            switch (entry.Change)
            {
                case Change.Upsert:
                    (changes ??= []).Add(new ActorStateChange(key, RuntimeJson.Serialize(entry.Value, entry.Type)));
                    break;
                case Change.Remove:
                    (changes ??= []).Add(new ActorStateChange(key, null));
                    break;
            }
        }

        if (changes is null && _reminders.Count == 0)
        {
            return;
        }

        await _store.SaveAsync(_actorType, _actorId, changes ?? (IReadOnlyList<ActorStateChange>)[], [.. _reminders], cancellationToken);

        _reminders.Clear();
        foreach (var key in _cache.Keys.ToList())
        {
            var entry = _cache[key];
            if (entry.Change == Change.Remove)
            {
                _cache.Remove(key);
            }
            else
            {
                entry.Change = Change.None;
            }
        }
    }

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
            if (cached.Change != Change.Remove && cached.Value is not null && cached.Value is not T)
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
