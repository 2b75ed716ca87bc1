namespace TicketToken.BuildingBlocks.Actors;

/// <summary>
/// An actor's state, cached for the activation. Changes are buffered and committed in one
/// transaction when the turn (method, reminder or timer) returns; an exception discards them.
/// </summary>
public interface IActorStateManager
{
    Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);
    Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default);
    Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default);
    Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);
    Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);
    Task<bool> TryAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);
    Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default);
    Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default);
    Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default);
    Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default);

    /// <summary>Commits buffered changes now (the runtime also does this when the turn ends).</summary>
    Task SaveStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops the cache and every uncommitted change.</summary>
    Task ClearCacheAsync(CancellationToken cancellationToken = default);
}

/// <summary>A value that may be absent.</summary>
public readonly record struct ConditionalValue<T>(bool HasValue, T Value);
