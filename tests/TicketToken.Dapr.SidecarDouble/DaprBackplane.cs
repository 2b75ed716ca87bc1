using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.Dapr.SidecarDouble;

/// <summary>Settings of the double's "cluster": its components and its resiliency.</summary>
public sealed record DaprBackplaneOptions
{
    public IReadOnlyList<string> StateStores { get; init; } = ["statestore"];
    public IReadOnlyList<string> PubSubs { get; init; } = ["pubsub"];

    /// <summary>Retries of a failed delivery before the dead-letter topic (a resiliency policy on the pub/sub inbound).</summary>
    public int DeliveryRetries { get; init; } = 3;
    public TimeSpan DeliveryRetryInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Deliveries in flight per subscription (Redis Streams' default <c>concurrency</c> is 10).</summary>
    public int DeliveryConcurrency { get; init; } = 10;

    /// <summary>Dapr's built-in reminder retries: exponential from 500 ms (to 60 s in Dapr; capped lower for tests).</summary>
    public TimeSpan ReminderRetryInitial { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan ReminderRetryMax { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// What sidecars share in a cluster: the state store (and actor state), the broker, actor placement and
/// the reminder scheduler. Sidecars of several app-ids attach to one backplane.
/// </summary>
public sealed class DaprBackplane : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SidecarDouble> _sidecars = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reminderLoop;
    private readonly Task _idleLoop;

    public DaprBackplane(DaprBackplaneOptions? options = null, TimeProvider? time = null)
    {
        Options = options ?? new DaprBackplaneOptions();
        Time = time ?? TimeProvider.System;
        State = new KeyValueStore(Time);
        ActorState = new KeyValueStore(Time);
        Broker = new Broker(this);
        Placement = new Placement(this);
        Reminders = new ReminderTable(this);
        _reminderLoop = Task.Run(() => Reminders.RunAsync(_stop.Token));
        _idleLoop = Task.Run(() => Placement.DeactivateIdleAsync(_stop.Token));
    }

    public DaprBackplaneOptions Options { get; }
    public TimeProvider Time { get; }

    /// <summary>Events accepted by the broker and not yet acknowledged, dropped or dead-lettered.</summary>
    public int PendingDeliveries => Broker.Pending;

    public int ReminderCount => Reminders.Count;

    internal KeyValueStore State { get; }
    internal KeyValueStore ActorState { get; }
    internal Broker Broker { get; }
    internal Placement Placement { get; }
    internal ReminderTable Reminders { get; }

    internal void Attach(SidecarDouble sidecar) => _sidecars[sidecar.AppId] = sidecar;

    internal SidecarDouble? Sidecar(string appId) => _sidecars.TryGetValue(appId, out var sidecar) ? sidecar : null;

    internal CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_reminderLoop, _idleLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        Placement.Dispose();
        _stop.Dispose();
    }
}

/// <summary>Pub/sub: per-subscription delivery with Dapr's acknowledgement rules, retries and dead-letter topics.</summary>
internal sealed class Broker(DaprBackplane backplane)
{
    private readonly ConcurrentDictionary<(string PubSub, string Topic), ConcurrentDictionary<string, Subscriber>> _subscribers = new();
    private int _pending;

    internal sealed record Subscriber(string AppId, string PubSub, string Topic, string Route, string? DeadLetterTopic)
    {
        public SemaphoreSlim Slots { get; init; } = new(10);
    }

    public int Pending => Volatile.Read(ref _pending);

    public void Subscribe(string appId, IEnumerable<(string PubSub, string Topic, string Route, string? DeadLetterTopic)> subscriptions)
    {
        foreach (var map in _subscribers.Values)
        {
            map.TryRemove(appId, out _);
        }

        foreach (var (pubsub, topic, route, deadLetter) in subscriptions)
        {
            _subscribers.GetOrAdd((pubsub, topic), _ => new ConcurrentDictionary<string, Subscriber>())[appId] =
                new Subscriber(appId, pubsub, topic, route, deadLetter) { Slots = new SemaphoreSlim(backplane.Options.DeliveryConcurrency) };
        }
    }

    public void Publish(string pubsub, string topic, JsonObject cloudEvent)
    {
        if (!_subscribers.TryGetValue((pubsub, topic), out var subscribers))
        {
            return; // Redis Streams keeps it in the stream; with no consumer group there is no one to deliver to
        }

        foreach (var subscriber in subscribers.Values)
        {
            Interlocked.Increment(ref _pending);
            var copy = (JsonObject)cloudEvent.DeepClone();
            copy["topic"] = topic;
            copy["pubsubname"] = pubsub;
            _ = Task.Run(() => DeliverAsync(subscriber, copy));
        }
    }

    private async Task DeliverAsync(Subscriber subscriber, JsonObject cloudEvent)
    {
        var stopping = backplane.Stopping;
        var failures = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var verdict = await AttemptAsync(subscriber, cloudEvent, stopping);
                switch (verdict)
                {
                    case Verdict.Ack:
                        return;
                    case Verdict.Unreachable:
                        await Task.Delay(200, stopping); // the app is down: the broker keeps the message
                        continue;
                    case Verdict.Drop:
                        DeadLetter(subscriber, cloudEvent);
                        return;
                    default:
                        if (++failures > backplane.Options.DeliveryRetries)
                        {
                            DeadLetter(subscriber, cloudEvent);
                            return;
                        }

                        await Task.Delay(backplane.Options.DeliveryRetryInterval, stopping);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private enum Verdict
    {
        Ack,
        Retry,
        Drop,
        Unreachable,
    }

    private async Task<Verdict> AttemptAsync(Subscriber subscriber, JsonObject cloudEvent, CancellationToken stopping)
    {
        var sidecar = backplane.Sidecar(subscriber.AppId);
        if (sidecar is null || !sidecar.AppConnected)
        {
            return Verdict.Unreachable;
        }

        await subscriber.Slots.WaitAsync(stopping);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscriber.Route.TrimStart('/'))
            {
                Content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json"),
            };
            if ((string?)cloudEvent["traceparent"] is { Length: > 0 } traceparent)
            {
                request.Headers.TryAddWithoutValidation("traceparent", traceparent);
            }

            using var response = await sidecar.CallAppAsync(request, stopping);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return Verdict.Drop; // non-retriable: dropped, to the dead-letter topic when there is one
            }

            if (!response.IsSuccessStatusCode)
            {
                return Verdict.Retry;
            }

            var body = await response.Content.ReadAsStringAsync(stopping);
            string? status;
            try
            {
                status = body.Length == 0 ? null : (string?)JsonNode.Parse(body)?["status"];
            }
            catch (JsonException)
            {
                status = null; // a 2xx with an unparsable body counts as success
            }

            return status switch
            {
                null or "" or "SUCCESS" => Verdict.Ack,
                "DROP" => Verdict.Drop,
                _ => Verdict.Retry, // "RETRY" and any other word (status words are upper-case and case-sensitive)
            };
        }
        catch (HttpRequestException)
        {
            return Verdict.Unreachable;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return Verdict.Retry; // the app did not answer in time: a failed attempt, as daprd counts it
        }
        finally
        {
            subscriber.Slots.Release();
        }
    }

    private void DeadLetter(Subscriber subscriber, JsonObject cloudEvent)
    {
        if (subscriber.DeadLetterTopic is { Length: > 0 } topic && topic != subscriber.Topic)
        {
            Publish(subscriber.PubSub, topic, cloudEvent);
        }
    }
}
