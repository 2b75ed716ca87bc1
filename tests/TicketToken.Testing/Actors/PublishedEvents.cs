using System.Collections.Concurrent;
using System.Text.Json;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.Testing.Actors;

/// <summary>
/// Pub/sub for an actor under <see cref="ActorTestHost"/>: what it publishes is serialized as the runtimes serialize it and
/// kept in order, so a test reads exactly what subscribers would receive.
/// </summary>
public sealed class PublishedEvents : IEventPublisher
{
    private readonly ConcurrentQueue<(string Topic, JsonElement Data)> _events = new();

    public Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data, IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        _events.Enqueue((topicName, JsonSerializer.SerializeToElement(data, RuntimeJson.Options)));
        return Task.CompletedTask;
    }

    /// <summary>What was published on <paramref name="topic"/>, read as <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> On<T>(string topic) => [.. _events.Where(e => e.Topic == topic).Select(e => e.Data.Deserialize<T>(RuntimeJson.Options)!)];
}
