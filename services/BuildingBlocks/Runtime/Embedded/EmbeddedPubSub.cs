using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Publishes by writing one durable delivery per subscription, then wakes the dispatcher.</summary>
internal sealed class EmbeddedEventPublisher(string appId, DeliveryQueue queue, TimeProvider time) : IEventPublisher, IBatchEventPublisher
{
    public Task PublishEventsAsync(IReadOnlyList<PublishedEvent> events, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var envelopes = new List<CloudEvent>(events.Count);
        foreach (var e in events)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(e.PubSubName);
            ArgumentException.ThrowIfNullOrWhiteSpace(e.TopicName);
            envelopes.Add(CloudEvent.Create(appId, e.PubSubName, e.TopicName, e.Data, e.Metadata, now));
        }

        return queue.EnqueueAsync(envelopes, cancellationToken);
    }

    public Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pubsubName);
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        return queue.EnqueueAsync(CloudEvent.Create(appId, pubsubName, topicName, data, metadata, time.GetUtcNow()), cancellationToken);
    }
}

/// <summary>The durable side of embedded pub/sub: <c>runtime.deliveries</c>.</summary>
internal sealed class DeliveryQueue(NpgsqlDataSource dataSource, SubscriptionRegistry subscriptions, TimeProvider time, ILogger<DeliveryQueue> logger) : IDisposable
{
    public AsyncSignal Signal { get; } = new();

    public Task EnqueueAsync(CloudEvent envelope, CancellationToken cancellationToken) => EnqueueAsync([envelope], cancellationToken);

    /// <summary>Several events' deliveries in one statement (one commit), in the order given.</summary>
    public async Task EnqueueAsync(IReadOnlyList<CloudEvent> envelopes, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var topics = new List<string>();
        var events = new List<string>();
        foreach (var envelope in envelopes)
        {
            var subscribers = subscriptions.ForTopic(envelope.PubSubName, envelope.Topic);
            if (subscribers.Count == 0)
            {
                logger.LogDebug("No subscription in this host for {PubSub}/{Topic}; event {EventId} has no one to deliver to", envelope.PubSubName, envelope.Topic, envelope.Id);
                continue;
            }

            var json = JsonSerializer.Serialize(envelope, RuntimeJson.Options);
            foreach (var subscriber in subscribers)
            {
                names.Add(subscriber.Name);
                topics.Add(envelope.Topic);
                events.Add(json);
            }
        }

        if (names.Count == 0)
        {
            return;
        }

        // "with ordinality" keeps the rows in the order given, so deliveries keep the events' order (ids ascend).
        await using var command = dataSource.CreateCommand("""
            insert into runtime.deliveries (subscription, topic, event, visible_at)
            select s, t, e::jsonb, $4 from unnest($1::text[], $2::text[], $3::text[]) with ordinality as d (s, t, e, n) order by n
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = topics.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = events.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        Signal.Notify();
    }

    /// <summary>Inserts deliveries, on <paramref name="connection"/> when given (to join its transaction).</summary>
    public async Task InsertAsync(NpgsqlConnection? connection, string[] subscriptionNames, CloudEvent envelope, CancellationToken cancellationToken)
    {
        const string sql = """
            insert into runtime.deliveries (subscription, topic, event, visible_at)
            select s, $2, $3, $4 from unnest($1::text[]) as s
            """;
        await using var command = connection is null ? dataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = subscriptionNames });
        command.Parameters.Add(new NpgsqlParameter { Value = envelope.Topic });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(envelope, RuntimeJson.Options) });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => Signal.Dispose();
}

/// <summary>
/// Delivers claimed events to their handlers with bounded concurrency. Outcomes are written in batches:
/// acknowledged deliveries are deleted, failed ones come back after an exponential backoff, and those
/// dropped or out of attempts move to <c>runtime.dead_letters</c> and to the dead-letter topic.
/// </summary>
internal sealed class DeliveryDispatcher : BackgroundService
{
    private static readonly ActivitySource Tracing = new("TicketToken.PubSub");

    private readonly NpgsqlDataSource _dataSource;
    private readonly DeliveryQueue _queue;
    private readonly SubscriptionRegistry _subscriptions;
    private readonly IServiceProvider _services;
    private readonly RuntimeReadiness _readiness;
    private readonly TimeProvider _time;
    private readonly EmbeddedRuntimeOptions _options;
    private readonly ILogger<DeliveryDispatcher> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Polly.ResiliencePipeline _outcomeRetry;
    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });

    public DeliveryDispatcher(NpgsqlDataSource dataSource, DeliveryQueue queue, SubscriptionRegistry subscriptions, IServiceProvider services,
        RuntimeReadiness readiness, TimeProvider time, IOptions<EmbeddedRuntimeOptions> options, ILogger<DeliveryDispatcher> logger)
    {
        _dataSource = dataSource;
        _queue = queue;
        _subscriptions = subscriptions;
        _services = services;
        _readiness = readiness;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.DeliveryConcurrency);
        _outcomeRetry = Resilience.Bounded(logger, "Recording delivery outcomes", attempts: 50);
    }

    private enum Verdict
    {
        Acknowledge,
        Retry,
        DeadLetter,

        /// <summary>The host is stopping: hand the delivery back untouched (not a failed attempt).</summary>
        Release,
    }

    private sealed record Claimed(long Id, string Subscription, string Event, int Attempt);

    private sealed record Outcome(Claimed Delivery, Verdict Verdict, string? Error, CloudEvent? Envelope);

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _readiness.WaitAsync(stoppingToken);
        var writer = Task.Run(() => WriteOutcomesAsync(CancellationToken.None), CancellationToken.None);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _slots.WaitAsync(stoppingToken);
                var want = 1;
                while (want < 128 && _slots.Wait(0, CancellationToken.None))
                {
                    want++;
                }

                IReadOnlyList<Claimed> claimed;
                try
                {
                    claimed = await ClaimAsync(want, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _slots.Release(want);
                    _logger.LogWarning(ex, "Claiming deliveries failed; retrying");
                    await Task.Delay(_options.PollInterval, stoppingToken);
                    continue;
                }

                if (want > claimed.Count)
                {
                    _slots.Release(want - claimed.Count);
                }

                foreach (var delivery in claimed)
                {
                    _ = DeliverAsync(delivery, stoppingToken);
                }

                if (claimed.Count < want)
                {
                    await _queue.Signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Let in-flight handlers finish (bounded by the host's shutdown timeout), then flush their outcomes.
            for (var i = 0; i < _options.DeliveryConcurrency; i++)
            {
                await _slots.WaitAsync(CancellationToken.None);
            }

            _outcomes.Writer.TryComplete();
            await writer;
        }
    }

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            update runtime.deliveries d set claimed = true
            from (select id from runtime.deliveries where not claimed and visible_at <= $1 order by visible_at, id limit $2 for update skip locked) c
            where d.id = c.id
            returning d.id, d.subscription, d.event::text, d.attempt
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _time.GetUtcNow() });
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        var claimed = new List<Claimed>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new Claimed(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }

        return claimed;
    }

    private async Task DeliverAsync(Claimed delivery, CancellationToken stoppingToken)
    {
        Outcome outcome;
        try
        {
            outcome = await HandleAsync(delivery, stoppingToken);
        }
        catch (Exception ex)
        {
            outcome = new Outcome(delivery, Verdict.Retry, ex.Message, null);
        }

        // The outcome is queued before the slot is freed: shutdown waits for every slot, then closes the queue.
        _outcomes.Writer.TryWrite(outcome);
        _slots.Release();
    }

    private async Task<Outcome> HandleAsync(Claimed delivery, CancellationToken stoppingToken)
    {
        var envelope = JsonSerializer.Deserialize<CloudEvent>(delivery.Event, RuntimeJson.Options)!;
        var subscription = _subscriptions.Find(delivery.Subscription);
        if (subscription is null)
        {
            return new Outcome(delivery, Verdict.DeadLetter, $"No subscription '{delivery.Subscription}' runs in this host.", envelope);
        }

        ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, out var parent);
        using var span = Tracing.StartActivity($"{envelope.Topic} process", ActivityKind.Consumer, parent);
        span?.SetTag("messaging.system", "tickettoken-embedded");
        span?.SetTag("messaging.destination.name", envelope.Topic);
        span?.SetTag("messaging.message.id", envelope.Id);
        span?.SetTag("messaging.consumer.group.name", subscription.Name);
        try
        {
            var result = await subscription.InvokeAsync(_services, envelope, stoppingToken);
            return result switch
            {
                TopicResult.Success => new Outcome(delivery, Verdict.Acknowledge, null, envelope),
                TopicResult.Drop => new Outcome(delivery, Verdict.DeadLetter, "Dropped by the handler.", envelope),
                _ => Retry(delivery, envelope, "The handler asked for a retry."),
            };
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return new Outcome(delivery, Verdict.Release, null, envelope);
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            _logger.LogWarning(ex, "Handler {Subscription} failed on event {EventId} (attempt {Attempt})", subscription.Name, envelope.Id, delivery.Attempt + 1);
            return Retry(delivery, envelope, $"{ex.GetType().Name}: {ex.Message}");
        }

        Outcome Retry(Claimed d, CloudEvent e, string error)
        {
            var max = subscription.MaxAttempts ?? _options.DeliveryMaxAttempts;
            return d.Attempt + 1 >= max
                ? new Outcome(d, Verdict.DeadLetter, $"Gave up after {d.Attempt + 1} attempt(s): {error}", e)
                : new Outcome(d, Verdict.Retry, error, e);
        }
    }

    private async Task WriteOutcomesAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Outcome>();
        while (await _outcomes.Reader.WaitToReadAsync(cancellationToken))
        {
            while (batch.Count < 512 && _outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            await _outcomeRetry.ExecuteAsync(async (outcomes, token) => await WriteAsync(outcomes, token), batch, cancellationToken);

            batch.Clear();
        }
    }

    private async Task WriteAsync(List<Outcome> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var acknowledged = batch.Where(o => o.Verdict == Verdict.Acknowledge).Select(o => o.Delivery.Id).ToArray();
        if (acknowledged.Length > 0)
        {
            await using var delete = new NpgsqlCommand("delete from runtime.deliveries where id = any($1)", connection, transaction);
            delete.Parameters.Add(new NpgsqlParameter { Value = acknowledged });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var released = batch.Where(o => o.Verdict == Verdict.Release).Select(o => o.Delivery.Id).ToArray();
        if (released.Length > 0)
        {
            await using var release = new NpgsqlCommand("update runtime.deliveries set claimed = false where id = any($1)", connection, transaction);
            release.Parameters.Add(new NpgsqlParameter { Value = released });
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        var retries = batch.Where(o => o.Verdict == Verdict.Retry).ToList();
        if (retries.Count > 0)
        {
            var now = _time.GetUtcNow();
            await using var update = new NpgsqlCommand("""
                update runtime.deliveries d set claimed = false, attempt = d.attempt + 1, visible_at = u.visible_at, last_error = u.error
                from unnest($1::bigint[], $2::timestamptz[], $3::text[]) as u(id, visible_at, error)
                where d.id = u.id
                """, connection, transaction);
            update.Parameters.Add(new NpgsqlParameter { Value = retries.Select(o => o.Delivery.Id).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = retries.Select(o => now + Backoff(o.Delivery.Attempt + 1)).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = retries.Select(o => o.Error ?? "").ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var dead in batch.Where(o => o.Verdict == Verdict.DeadLetter))
        {
            await DeadLetterAsync(connection, transaction, dead, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (retries.Count > 0 || batch.Any(o => o.Verdict == Verdict.DeadLetter))
        {
            _queue.Signal.Notify();
        }
    }

    private async Task DeadLetterAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Outcome dead, CancellationToken cancellationToken)
    {
        _logger.LogWarning("Dead-lettering event {EventId} for {Subscription}: {Reason}", dead.Envelope?.Id, dead.Delivery.Subscription, dead.Error);
        await using (var move = new NpgsqlCommand("""
            with moved as (delete from runtime.deliveries where id = $1 returning subscription, topic, event, attempt)
            insert into runtime.dead_letters (subscription, topic, event, attempts, reason)
            select subscription, topic, event, attempt + 1, $2 from moved
            """, connection, transaction))
        {
            move.Parameters.Add(new NpgsqlParameter { Value = dead.Delivery.Id });
            move.Parameters.Add(new NpgsqlParameter { Value = dead.Error ?? "" });
            await move.ExecuteNonQueryAsync(cancellationToken);
        }

        var subscription = _subscriptions.Find(dead.Delivery.Subscription);
        if (subscription is null || dead.Envelope is null || dead.Envelope.Topic == subscription.DeadLetterTopic)
        {
            return;
        }

        var deadLetterSubscribers = _subscriptions.ForTopic(subscription.PubSubName, subscription.DeadLetterTopic).Select(s => s.Name).ToArray();
        if (deadLetterSubscribers.Length > 0)
        {
            var forwarded = dead.Envelope with { Topic = subscription.DeadLetterTopic };
            await _queue.InsertAsync(connection, deadLetterSubscribers, forwarded, cancellationToken);
        }
    }

    private TimeSpan Backoff(int failedAttempts)
    {
        var exponential = _options.DeliveryInitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempts - 1, 20));
        var capped = Math.Min(exponential, _options.DeliveryMaxBackoff.TotalMilliseconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(capped * jitter);
    }
}
