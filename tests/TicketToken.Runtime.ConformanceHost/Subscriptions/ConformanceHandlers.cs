using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Runtime.ConformanceHost.Data;

namespace TicketToken.Runtime.ConformanceHost.Subscriptions;

/// <summary>Counts every call, and records each message once through the inbox.</summary>
public sealed class RecordMessage(ConformanceDbContext db, ConformanceDb raw, IOptions<ConformanceOptions> options) : ITopicHandler<TestMessage>
{
    /// <summary>The envelopes as delivered, for tests that check CloudEvent fields (in-process hosts only).</summary>
    public static ConcurrentDictionary<string, CloudEvent> Envelopes { get; } = new();

    private static int _recorded;

    public async Task<TopicResult> HandleAsync(TestMessage data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        Envelopes[envelope.Id] = envelope;
        await raw.ExecuteAsync("insert into conformance.handler_calls (consumer, message_id) values ($1, $2)", nameof(RecordMessage), envelope.Id);
        // Checked before recording, so a redelivered call cannot use up the quota: at most HandlerParkAfter plus the
        // calls already past this line (the delivery concurrency) are recorded before everything parks.
        if (options.Value.HandlerParkAfter > 0 && Volatile.Read(ref _recorded) >= options.Value.HandlerParkAfter)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        if (options.Value.HandlerDelayMs > 0)
        {
            await Task.Delay(options.Value.HandlerDelayMs, cancellationToken);
        }

        await db.ProcessOnceAsync(nameof(RecordMessage), envelope.Id, _ =>
        {
            db.Received.Add(new Received { Consumer = nameof(RecordMessage), MessageId = envelope.Id, Number = data.Number });
            return Task.CompletedTask;
        }, cancellationToken);
        Interlocked.Increment(ref _recorded);
        return TopicResult.Success;
    }
}

public sealed class AlwaysFails : ITopicHandler<TestMessage>
{
    public Task<TopicResult> HandleAsync(TestMessage data, CloudEvent envelope, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"message {data.Number} is poison");
}

/// <summary>Asks for a retry twice per message, then succeeds; remembers calls per message id.</summary>
public sealed class RetriesTwice(ConformanceDb raw) : ITopicHandler<TestMessage>
{
    private static readonly ConcurrentDictionary<string, int> Calls = new();

    public async Task<TopicResult> HandleAsync(TestMessage data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await raw.ExecuteAsync("insert into conformance.handler_calls (consumer, message_id) values ($1, $2)", nameof(RetriesTwice), envelope.Id);
        return Calls.AddOrUpdate(envelope.Id, 1, (_, n) => n + 1) <= 2 ? TopicResult.Retry : TopicResult.Success;
    }
}

public sealed class DropsEverything : ITopicHandler<TestMessage>
{
    public Task<TopicResult> HandleAsync(TestMessage data, CloudEvent envelope, CancellationToken cancellationToken) =>
        Task.FromResult(TopicResult.Drop);
}

public sealed class RecordDeadLetter(ConformanceDb raw) : ITopicHandler<TestMessage>
{
    public async Task<TopicResult> HandleAsync(TestMessage data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        await raw.ExecuteAsync("insert into conformance.dead_letters_seen (message_id, topic, number) values ($1, $2, $3) on conflict do nothing",
            envelope.Id, envelope.Topic, data.Number);
        return TopicResult.Success;
    }
}
