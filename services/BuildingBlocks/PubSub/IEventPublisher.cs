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
