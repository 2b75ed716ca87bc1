namespace TicketToken.BuildingBlocks.State;

/// <summary>
/// Key/value state with optimistic concurrency, shaped like the Dapr SDK's state API.
/// Keys are scoped to the calling app (Dapr's default <c>keyPrefix: appid</c>), so two modules
/// may use the same key without colliding. Resolve it keyed by your module's app-id:
/// <c>[FromKeyedServices(MyModule.AppId)] IStateClient state</c>.
/// </summary>
public interface IStateClient
{
    /// <summary>Reads a value; <c>default</c> when the key is missing or expired.</summary>
    Task<T?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default);

    /// <summary>Reads a value and its ETag; both are <c>default</c>/<c>null</c> when the key is missing.</summary>
    Task<(T? Value, string? ETag)> GetStateAndETagAsync<T>(string storeName, string key, CancellationToken cancellationToken = default);

    /// <summary>Reads several keys at once; missing keys come back with <see cref="BulkStateItem{T}.Found"/> false.</summary>
    Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a value. Without options this is a blind upsert (last write wins). With
    /// <see cref="Concurrency.FirstWrite"/> and no ETag it only inserts and throws
    /// <see cref="ETagMismatchException"/> when a live value exists. Pass <c>ttlInSeconds</c> in
    /// <paramref name="metadata"/> (see <see cref="StateMetadata.Ttl"/>) to make it expire.
    /// </summary>
    Task SaveStateAsync<T>(string storeName, string key, T value, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a value only if its current ETag is <paramref name="etag"/>; returns false on a mismatch.</summary>
    Task<bool> TrySaveStateAsync<T>(string storeName, string key, T value, string etag, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key (no error when it is missing).</summary>
    Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key only if its current ETag is <paramref name="etag"/>; returns false on a mismatch.</summary>
    Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every operation or none. Any failure, including an ETag mismatch, throws
    /// <see cref="StateTransactionException"/> (Dapr reports both as one error inside a transaction).
    /// </summary>
    Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);
}

/// <summary>The default state store every module may use.</summary>
public static class StateStores
{
    public const string Default = "statestore";
}
