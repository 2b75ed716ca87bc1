using System.Text.Json;
using System.Text.Json.Serialization;

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
