namespace TicketToken.BuildingBlocks.PubSub;

/// <summary>
/// Publishes integration events as CloudEvents (Dapr's <c>PublishEventAsync</c> shape). Delivery is
/// at-least-once. Resolve it keyed by your module's app-id, which becomes the CloudEvent <c>source</c>.
/// To change your own tables and publish in one transaction, use <c>ModuleDbContext.Publish</c> instead.
/// </summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes <paramref name="data"/> to <paramref name="topicName"/>. Optional Dapr publish metadata:
    /// <c>cloudevent.id</c> and <c>cloudevent.type</c> override the envelope's id and type (the outbox relay
    /// uses the id so that a re-publish is recognisable).
    /// </summary>
    Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default);
}

/// <summary>One event of a batch (<see cref="IBatchEventPublisher"/>): as <see cref="IEventPublisher.PublishEventAsync{TData}"/> takes it.</summary>
public sealed record PublishedEvent(string PubSubName, string TopicName, System.Text.Json.JsonElement Data, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>
/// A publisher that can make several events durable at once (the embedded runtime: one statement and one commit for the
/// batch). The outbox relay uses it when the runtime offers it; every event is still published exactly as alone.
/// </summary>
public interface IBatchEventPublisher
{
    Task PublishEventsAsync(IReadOnlyList<PublishedEvent> events, CancellationToken cancellationToken = default);
}

public static class PubSubNames
{
    /// <summary>The pub/sub component every module uses.</summary>
    public const string Default = "pubsub";
}

public static class PublishMetadata
{
    public const string CloudEventId = "cloudevent.id";
    public const string CloudEventType = "cloudevent.type";
    public const string TraceParent = "cloudevent.traceparent";
}
