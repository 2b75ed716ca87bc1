using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;

namespace TicketToken.Testing;

/// <summary>
/// A test module that subscribes to topics and keeps what arrives, so a test can see the events a module
/// really published through its outbox and pub/sub (for example the code of an invitation e-mail).
/// </summary>
public sealed class EventCaptureModule(params string[] topics) : Module
{
    public const string Id = "test-capture";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddSingleton<CapturedEvents>();
        foreach (var topic in topics)
        {
            module.Subscribe<JsonElement, CaptureHandler>(topic);
        }
    }

    private sealed class CaptureHandler(CapturedEvents captured) : ITopicHandler<JsonElement>
    {
        public Task<TopicResult> HandleAsync(JsonElement data, CloudEvent envelope, CancellationToken cancellationToken)
        {
            captured.Add(envelope.Topic, data.Clone());
            return Task.FromResult(TopicResult.Success);
        }
    }
}

/// <summary>What <see cref="EventCaptureModule"/> received, by topic.</summary>
public sealed class CapturedEvents
{
    private readonly ConcurrentQueue<(string Topic, JsonElement Data)> _events = new();

    public void Add(string topic, JsonElement data) => _events.Enqueue((topic, data));

    public IReadOnlyList<JsonElement> On(string topic) => [.. _events.Where(e => e.Topic == topic).Select(e => e.Data)];

    /// <summary>Waits for the first event on <paramref name="topic"/> that matches <paramref name="match"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string topic, Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(() =>
        {
            var hit = On(topic).Where(match).ToList();
            if (hit.Count > 0)
            {
                found = hit[0];
            }

            return Task.FromResult(hit.Count > 0);
        }, $"an event on {topic}", timeout);
        return found;
    }
}
