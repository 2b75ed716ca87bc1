using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace TicketToken.BuildingBlocks.PubSub;

/// <summary>A module's mapping of one topic to one handler, as the runtimes see it.</summary>
public sealed class TopicSubscription
{
    internal TopicSubscription(string appId, string topic, Type eventType, Type handlerType, SubscriptionOptions options)
    {
        AppId = appId;
        Topic = topic;
        EventType = eventType;
        HandlerType = handlerType;
        PubSubName = options.PubSubName;
        DeadLetterTopic = options.DeadLetterTopic ?? topic + ".deadletter";
        MaxAttempts = options.MaxAttempts;
        Name = $"{appId}/{topic}/{handlerType.Name}";
        Route = $"/dapr/events/{appId}/{topic}/{handlerType.Name}";
    }

    /// <summary>Stable identity of the subscription (its consumer name): <c>{appId}/{topic}/{handler}</c>.</summary>
    public string Name { get; }

    public string AppId { get; }
    public string PubSubName { get; }
    public string Topic { get; }
    public string DeadLetterTopic { get; }
    public int? MaxAttempts { get; }
    public Type EventType { get; }
    public Type HandlerType { get; }

    /// <summary>The HTTP route the Dapr sidecar delivers to.</summary>
    public string Route { get; }

    /// <summary>Runs the handler in its own DI scope.</summary>
    public Task<TopicResult> InvokeAsync(IServiceProvider services, CloudEvent envelope, CancellationToken cancellationToken) =>
        _invoke(services, envelope, cancellationToken);

    private Func<IServiceProvider, CloudEvent, CancellationToken, Task<TopicResult>> _invoke = null!;

    internal static TopicSubscription Create<TEvent, THandler>(string appId, string topic, SubscriptionOptions options)
        where THandler : class, ITopicHandler<TEvent>
    {
        var subscription = new TopicSubscription(appId, topic, typeof(TEvent), typeof(THandler), options);
        subscription._invoke = async (services, envelope, ct) =>
        {
            var data = envelope.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? default!
                : envelope.Data.Deserialize<TEvent>(Serialization.RuntimeJson.Options)!;
            await using var scope = services.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            return await handler.HandleAsync(data, envelope, ct);
        };
        return subscription;
    }
}

/// <summary>Every subscription of the modules this host runs.</summary>
public sealed class SubscriptionRegistry
{
    private readonly List<TopicSubscription> _subscriptions = [];
    private Dictionary<(string PubSub, string Topic), TopicSubscription[]>? _byTopic;

    public IReadOnlyList<TopicSubscription> All => _subscriptions;

    internal void Add(TopicSubscription subscription)
    {
        // One handler per (app, pub/sub, topic): it is one subscription of the app's consumer group, as in Dapr.
        if (_subscriptions.FirstOrDefault(s => s.AppId == subscription.AppId && s.PubSubName == subscription.PubSubName && s.Topic == subscription.Topic) is { } existing)
        {
            throw new InvalidOperationException(
                $"App '{subscription.AppId}' subscribes to {subscription.PubSubName}/{subscription.Topic} twice ({existing.HandlerType.Name}, {subscription.HandlerType.Name}); one handler per topic and app.");
        }

        _subscriptions.Add(subscription);
        _byTopic = null;
    }

    public TopicSubscription? Find(string name) => _subscriptions.FirstOrDefault(s => s.Name == name);

    /// <summary>The subscriptions that receive an event published to <paramref name="topic"/>.</summary>
    public IReadOnlyList<TopicSubscription> ForTopic(string pubsubName, string topic)
    {
        var map = _byTopic ??= _subscriptions
            .GroupBy(s => (s.PubSubName, s.Topic))
            .ToDictionary(g => g.Key, g => g.ToArray());
        return map.TryGetValue((pubsubName, topic), out var found) ? found : [];
    }
}
