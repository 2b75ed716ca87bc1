using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.PubSub;

/// <summary>
/// A CloudEvents 1.0 envelope as Dapr delivers it. <see cref="Id"/> is the idempotency key a
/// handler uses with its inbox; <see cref="TraceParent"/> carries the W3C trace across the broker.
/// </summary>
public sealed record CloudEvent
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("specversion")] public string SpecVersion { get; init; } = "1.0";
    [JsonPropertyName("datacontenttype")] public string DataContentType { get; init; } = "application/json";
    [JsonPropertyName("time")] public DateTimeOffset Time { get; init; }
    [JsonPropertyName("topic")] public required string Topic { get; init; }
    [JsonPropertyName("pubsubname")] public required string PubSubName { get; init; }
    [JsonPropertyName("traceparent")] public string? TraceParent { get; init; }
    [JsonPropertyName("tracestate")] public string? TraceState { get; init; }
    [JsonPropertyName("data")] public JsonElement Data { get; init; }

    /// <summary>
    /// The envelope every runtime publishes: a new id unless <c>cloudevent.id</c> fixes it, the topic as type unless
    /// <c>cloudevent.type</c> says otherwise, the current W3C trace unless <c>cloudevent.traceparent</c> carries one.
    /// </summary>
    public static CloudEvent Create<TData>(string source, string pubsubName, string topic, TData data,
        IReadOnlyDictionary<string, string>? metadata, DateTimeOffset time) =>
        new()
        {
            Id = Read(metadata, PublishMetadata.CloudEventId) ?? Guid.NewGuid().ToString(),
            Source = source,
            Type = Read(metadata, PublishMetadata.CloudEventType) ?? topic,
            Time = time,
            Topic = topic,
            PubSubName = pubsubName,
            TraceParent = Read(metadata, PublishMetadata.TraceParent) ?? Activity.Current?.Id,
            TraceState = Activity.Current?.TraceStateString,
            Data = JsonSerializer.SerializeToElement(data, data?.GetType() ?? typeof(TData), RuntimeJson.Options),
        };

    private static string? Read(IReadOnlyDictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}

/// <summary>What a handler tells the runtime, with Dapr's status words.</summary>
public enum TopicResult
{
    /// <summary>Handled: acknowledge.</summary>
    Success,

    /// <summary>Not now: redeliver with backoff, then dead-letter when attempts run out.</summary>
    Retry,

    /// <summary>Never: do not redeliver; the message goes to the dead-letter topic.</summary>
    Drop,
}
