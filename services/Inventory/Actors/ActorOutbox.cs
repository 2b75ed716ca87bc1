using System.Text.Json;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.Inventory.Actors;

/// <summary>
/// An actor whose turns can publish events safely: an event is stored in the actor's state with the turn that
/// decided it, and a reminder publishes it right after. A crash between the state change and the publish cannot
/// lose the event; a crash after the publish repeats it with the same CloudEvent id (at least once).
/// </summary>
public abstract class PublishingActor(ActorHost host, IEventPublisher publisher) : Actor(host)
{
    protected const string OutboxReminder = "outbox";
    private const string OutboxKey = "outbox";

    protected async Task QueueEventAsync<T>(string topic, T data) where T : notnull
    {
        var pending = (await StateManager.TryGetStateAsync<List<PendingEvent>>(OutboxKey)).Value ?? [];
        pending.Add(new PendingEvent(Guid.NewGuid().ToString("N"), topic, JsonSerializer.SerializeToElement(data, RuntimeJson.Options)));
        await StateManager.SetStateAsync(OutboxKey, pending);
        await RegisterReminderAsync(OutboxReminder, null, TimeSpan.Zero, TimeSpan.Zero);
    }

    protected async Task FlushOutboxAsync()
    {
        var pending = await StateManager.TryGetStateAsync<List<PendingEvent>>(OutboxKey);
        if (!pending.HasValue)
        {
            return;
        }

        foreach (var item in pending.Value)
        {
            await publisher.PublishEventAsync(PubSubNames.Default, item.Topic, item.Data,
                new Dictionary<string, string> { [PublishMetadata.CloudEventId] = item.Id, [PublishMetadata.CloudEventType] = item.Topic });
        }

        await StateManager.RemoveStateAsync(OutboxKey);
    }

    private sealed record PendingEvent(string Id, string Topic, JsonElement Data);
}
