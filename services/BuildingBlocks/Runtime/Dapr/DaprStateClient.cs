using System.Text.Json;
using Grpc.Core;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.BuildingBlocks.State;
using DaprSdkException = Dapr.DaprException;
using Sdk = Dapr.Client;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// The state building block on Dapr.Client (gRPC to the sidecar). Values are serialized here, with the runtime's
/// JSON options, so both runtimes store the same bytes. The sidecar reports an ETag mismatch as ABORTED on save
/// and delete, a malformed ETag as INVALID_ARGUMENT, and any failure inside a transaction as INTERNAL.
/// </summary>
internal sealed class DaprStateClient(Sdk.DaprClient dapr) : IStateClient
{
    public async Task<T?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default) =>
        (await GetStateAndETagAsync<T>(storeName, key, cancellationToken)).Value;

    public async Task<(T? Value, string? ETag)> GetStateAndETagAsync<T>(string storeName, string key, CancellationToken cancellationToken = default)
    {
        var (data, etag) = await Call(key, "read", () =>
            dapr.GetByteStateAndETagAsync(storeName, CheckKey(key), Sdk.ConsistencyMode.Strong, cancellationToken: cancellationToken));
        return data.IsEmpty ? (default, null) : (JsonSerializer.Deserialize<T>(data.Span, RuntimeJson.Options), etag);
    }

    public async Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var items = await Call(string.Join(", ", keys), "bulk read", () =>
            dapr.GetBulkStateAsync(storeName, [.. keys.Select(CheckKey)], parallelism: 10, cancellationToken: cancellationToken));
        var byKey = items.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.First());
        // A key the store does not hold comes back with no data (a stored JSON value is never empty).
        return [.. keys.Select(key => byKey.TryGetValue(key, out var item) && item.Value.Length > 0
            ? new BulkStateItem<T>(key, JsonSerializer.Deserialize<T>(item.Value, RuntimeJson.Options), item.ETag, true)
            : new BulkStateItem<T>(key, default, null, false))];
    }

    public async Task SaveStateAsync<T>(string storeName, string key, T value, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        StateMetadata.ReadTtl(metadata);
        try
        {
            await Call(key, "save", () => dapr.SaveByteStateAsync(storeName, CheckKey(key), Serialize(value), Options(options), Dictionary(metadata), cancellationToken));
        }
        catch (RpcException rpc) when (rpc.StatusCode == StatusCode.Aborted)
        {
            throw new ETagMismatchException(key); // first-write without an ETag: the key exists
        }
    }

    public Task<bool> TrySaveStateAsync<T>(string storeName, string key, T value, string etag, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        StateMetadata.ReadTtl(metadata);
        return Call(key, "save", () => dapr.TrySaveByteStateAsync(storeName, CheckKey(key), Serialize(value), etag,
            Options(options ?? new StateOptions(Concurrency.FirstWrite)), Dictionary(metadata), cancellationToken));
    }

    public Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default) =>
        Call(key, "delete", () => dapr.DeleteStateAsync(storeName, CheckKey(key), cancellationToken: cancellationToken));

    public Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return Call(key, "delete", () => dapr.TryDeleteStateAsync(storeName, CheckKey(key), etag,
            new Sdk.StateOptions { Concurrency = Sdk.ConcurrencyMode.FirstWrite }, cancellationToken: cancellationToken));
    }

    public async Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (operations.Count == 0)
        {
            return;
        }

        StateMetadata.ReadTtl(metadata);
        var requests = operations.Select(op => new Sdk.StateTransactionRequest(
            CheckKey(op.Key),
            op.OperationType == StateOperationType.Upsert ? Serialize(op.Value).ToArray() : null,
            op.OperationType == StateOperationType.Upsert ? Sdk.StateOperationType.Upsert : Sdk.StateOperationType.Delete,
            op.ETag,
            op.Metadata is null ? null : Dictionary(op.Metadata),
            Options(op.Options))).ToList();
        try
        {
            await dapr.ExecuteStateTransactionAsync(storeName, requests, metadata, cancellationToken);
        }
        catch (DaprSdkException ex)
        {
            throw new StateTransactionException($"The state transaction on '{storeName}' was rolled back: {Describe(ex)}");
        }
    }

    private static ReadOnlyMemory<byte> Serialize(object? value) =>
        value is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), RuntimeJson.Options);

    private static Sdk.StateOptions? Options(StateOptions? options) => options is null ? null : new Sdk.StateOptions
    {
        Concurrency = options.Concurrency == Concurrency.FirstWrite ? Sdk.ConcurrencyMode.FirstWrite : Sdk.ConcurrencyMode.LastWrite,
        Consistency = options.Consistency == ConsistencyMode.Strong ? Sdk.ConsistencyMode.Strong : Sdk.ConsistencyMode.Eventual,
    };

    private static Dictionary<string, string>? Dictionary(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.ToDictionary(m => m.Key, m => m.Value);

    /// <summary>
    /// Runs one SDK call and translates its failures: a malformed ETag is the caller's mistake, an ABORTED save
    /// without an ETag is rethrown as the <see cref="RpcException"/> for the caller to name, anything else is a
    /// <see cref="StateException"/>.
    /// </summary>
    private static async Task<TResult> Call<TResult>(string key, string what, Func<Task<TResult>> call)
    {
        try
        {
            return await call();
        }
        catch (DaprSdkException ex) when (ex.InnerException is RpcException rpc)
        {
            throw rpc.StatusCode switch
            {
                StatusCode.InvalidArgument when rpc.Status.Detail.Contains("etag", StringComparison.OrdinalIgnoreCase) =>
                    new ArgumentException($"Invalid ETag for state key '{key}': {rpc.Status.Detail}"),
                StatusCode.Aborted => rpc,
                _ => new StateException($"State {what} of '{key}' failed: {Describe(ex)}"),
            };
        }
        catch (DaprSdkException ex)
        {
            throw new StateException($"State {what} of '{key}' failed: {Describe(ex)}");
        }
    }

    private static async Task Call(string key, string what, Func<Task> call) =>
        await Call(key, what, async () =>
        {
            await call();
            return true;
        });

    internal static string Describe(Exception ex) =>
        ex.InnerException is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;

    private static string CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key.Contains("||", StringComparison.Ordinal)
            ? throw new ArgumentException("State keys may not contain '||' (Dapr reserves it).", nameof(key))
            : key;
    }
}
