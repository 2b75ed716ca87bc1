using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// The state building block through <c>/v1.0/state/{store}</c>. The sidecar prefixes keys with its app-id,
/// so this client sends them as they are. ETag conflicts come back as 409 on save and delete; inside a
/// transaction the sidecar reports every failure as a 500, which becomes <see cref="StateTransactionException"/>.
/// </summary>
internal sealed class DaprStateClient(DaprSidecar sidecar) : IStateClient
{
    public async Task<T?> GetStateAsync<T>(string storeName, string key, CancellationToken cancellationToken = default) =>
        (await GetStateAndETagAsync<T>(storeName, key, cancellationToken)).Value;

    public async Task<(T? Value, string? ETag)> GetStateAndETagAsync<T>(string storeName, string key, CancellationToken cancellationToken = default)
    {
        using var client = sidecar.CreateClient();
        using var response = await client.GetAsync($"v1.0/state/{Escape(storeName)}/{Escape(CheckKey(key))}?consistency=strong", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return (default, null);
        }

        await EnsureAsync(response, "read", key, cancellationToken);
        var value = await JsonSerializer.DeserializeAsync<T>(await response.Content.ReadAsStreamAsync(cancellationToken), RuntimeJson.Options, cancellationToken);
        var etag = response.Headers.ETag?.Tag is { } tag ? tag.Trim('"') : response.Headers.TryGetValues("ETag", out var raw) ? raw.First() : null;
        return (value, etag);
    }

    public async Task<IReadOnlyList<BulkStateItem<T>>> GetBulkStateAsync<T>(string storeName, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        using var client = sidecar.CreateClient();
        var body = JsonSerializer.Serialize(new { keys = keys.Select(CheckKey).ToArray(), parallelism = 10 });
        using var response = await client.PostAsync($"v1.0/state/{Escape(storeName)}/bulk", DaprSidecar.Json(body), cancellationToken);
        await EnsureAsync(response, "bulk read", string.Join(", ", keys), cancellationToken);
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsArray();
        var byKey = items.Where(i => i is not null).ToDictionary(i => (string)i!["key"]!, i => i!);
        return keys.Select(key =>
        {
            // The runtime names the value "data" (the docs' example says "value").
            if (byKey.TryGetValue(key, out var item) && item["data"] is { } data && item["error"] is null)
            {
                return new BulkStateItem<T>(key, data.Deserialize<T>(RuntimeJson.Options), (string?)item["etag"], true);
            }

            return new BulkStateItem<T>(key, default, null, false);
        }).ToList();
    }

    public async Task SaveStateAsync<T>(string storeName, string key, T value, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (!await SaveAsync(storeName, key, value, etag: null, options, metadata, cancellationToken))
        {
            throw new ETagMismatchException(key);
        }
    }

    public Task<bool> TrySaveStateAsync<T>(string storeName, string key, T value, string etag, StateOptions? options = null,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return SaveAsync(storeName, key, value, etag, options ?? new StateOptions(Concurrency.FirstWrite), metadata, cancellationToken);
    }

    public async Task DeleteStateAsync(string storeName, string key, CancellationToken cancellationToken = default)
    {
        using var client = sidecar.CreateClient();
        using var response = await client.DeleteAsync($"v1.0/state/{Escape(storeName)}/{Escape(CheckKey(key))}", cancellationToken);
        await EnsureAsync(response, "delete", key, cancellationToken);
    }

    public async Task<bool> TryDeleteStateAsync(string storeName, string key, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        using var client = sidecar.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"v1.0/state/{Escape(storeName)}/{Escape(CheckKey(key))}?concurrency=first-write");
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        await EnsureAsync(response, "delete", key, cancellationToken);
        return true;
    }

    public async Task ExecuteStateTransactionAsync(string storeName, IReadOnlyList<StateTransactionRequest> operations,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        if (operations.Count == 0)
        {
            return;
        }

        StateMetadata.ReadTtl(metadata);
        var body = new JsonObject
        {
            ["operations"] = new JsonArray(operations.Select(op => (JsonNode)new JsonObject
            {
                ["operation"] = op.OperationType == StateOperationType.Upsert ? "upsert" : "delete",
                ["request"] = Item(op.Key, op.OperationType == StateOperationType.Upsert ? op.Value : null, op.OperationType == StateOperationType.Upsert, op.ETag, op.Options, op.Metadata),
            }).ToArray()),
        };
        if (metadata is not null)
        {
            body["metadata"] = Metadata(metadata);
        }

        using var client = sidecar.CreateClient();
        using var response = await client.PostAsync($"v1.0/state/{Escape(storeName)}/transaction", DaprSidecar.Json(body.ToJsonString()), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await DaprSidecar.ReadErrorAsync(response, cancellationToken);
            throw new StateTransactionException($"The state transaction on '{storeName}' was rolled back: {error}");
        }
    }

    private async Task<bool> SaveAsync<T>(string storeName, string key, T value, string? etag, StateOptions? options,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        StateMetadata.ReadTtl(metadata);
        var body = new JsonArray(Item(CheckKey(key), value, hasValue: true, etag, options, metadata)).ToJsonString();
        using var client = sidecar.CreateClient();
        using var response = await client.PostAsync($"v1.0/state/{Escape(storeName)}", DaprSidecar.Json(body), cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }

        await EnsureAsync(response, "save", key, cancellationToken);
        return true;
    }

    private static JsonObject Item(string key, object? value, bool hasValue, string? etag, StateOptions? options, IReadOnlyDictionary<string, string>? metadata)
    {
        var item = new JsonObject { ["key"] = CheckKey(key) };
        if (hasValue)
        {
            item["value"] = value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), RuntimeJson.Options);
        }

        if (etag is not null)
        {
            item["etag"] = etag;
        }

        if (options is not null)
        {
            item["options"] = new JsonObject
            {
                ["concurrency"] = options.Concurrency == Concurrency.FirstWrite ? "first-write" : "last-write",
                ["consistency"] = options.Consistency == ConsistencyMode.Strong ? "strong" : "eventual",
            };
        }

        if (metadata is not null)
        {
            item["metadata"] = Metadata(metadata);
        }

        return item;
    }

    private static JsonObject Metadata(IReadOnlyDictionary<string, string> metadata) =>
        new(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));

    private static async Task EnsureAsync(HttpResponseMessage response, string what, string key, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var error = await DaprSidecar.ReadErrorAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest && error.Message.Contains("etag", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Invalid ETag for state key '{key}': {error.Message}");
        }

        throw new StateException($"State {what} of '{key}' failed: {error}");
    }

    private static string CheckKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key.Contains("||", StringComparison.Ordinal)
            ? throw new ArgumentException("State keys may not contain '||' (Dapr reserves it).", nameof(key))
            : key;
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
