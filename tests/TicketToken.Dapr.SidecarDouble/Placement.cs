using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace TicketToken.Dapr.SidecarDouble;

/// <summary>
/// Actor placement and the sidecar's per-actor lock: each actor type lives in the app that listed it in
/// <c>/dapr/config</c>; calls to one actor id run one at a time; idle actors are deactivated with
/// <c>DELETE /actors/{type}/{id}</c>; timers live with the activation.
/// </summary>
internal sealed class Placement(DaprBackplane backplane) : IDisposable
{
    private readonly ConcurrentDictionary<string, (SidecarDouble Host, TimeSpan IdleTimeout)> _types = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Type, string Id), Slot> _slots = new();

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public ConcurrentDictionary<string, ITimer> Timers { get; } = new(StringComparer.Ordinal);
        public DateTimeOffset LastUsed { get; set; }
    }

    public void Host(SidecarDouble sidecar, IEnumerable<string> actorTypes, TimeSpan idleTimeout)
    {
        foreach (var type in actorTypes)
        {
            _types[type] = (sidecar, idleTimeout);
        }
    }

    public SidecarDouble? HostOf(string actorType) => _types.TryGetValue(actorType, out var host) ? host.Host : null;

    public bool IsActive(string actorType, string actorId, SidecarDouble sidecar) =>
        _slots.ContainsKey((actorType, actorId)) && HostOf(actorType) == sidecar;

    /// <summary>Runs one call to an actor under its lock, on the app that hosts its type.</summary>
    public async Task<HttpResponseMessage> CallAsync(string actorType, string actorId, Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        var host = HostOf(actorType) ?? throw new ActorAddressException($"did not find address for actor {actorType}/{actorId}");
        var slot = _slots.GetOrAdd((actorType, actorId), _ => new Slot());
        await slot.Lock.WaitAsync(cancellationToken);
        try
        {
            slot.LastUsed = backplane.Time.GetUtcNow();
            using var message = request();
            return await host.CallAppAsync(message, cancellationToken);
        }
        finally
        {
            slot.LastUsed = backplane.Time.GetUtcNow();
            slot.Lock.Release();
        }
    }

    public void RegisterTimer(string actorType, string actorId, string name, TimeSpan dueTime, TimeSpan? period, string callback, JsonNode? data)
    {
        var slot = _slots.GetOrAdd((actorType, actorId), _ => new Slot { LastUsed = backplane.Time.GetUtcNow() });
        ITimer? timer = null;
        timer = backplane.Time.CreateTimer(async _ =>
        {
            var body = new JsonObject { ["callback"] = callback, ["data"] = data?.DeepClone(), ["dueTime"] = Durations.Go(dueTime), ["period"] = period is { } p ? Durations.Go(p) : "" };
            try
            {
                using var response = await CallAsync(actorType, actorId,
                    () => new HttpRequestMessage(HttpMethod.Put, $"actors/{actorType}/{actorId}/method/timer/{name}") { Content = Json(body) },
                    backplane.Stopping);
                if (response.Headers.TryGetValues("X-DaprReminderCancel", out var cancel) && cancel.Contains("true"))
                {
                    UnregisterTimer(actorType, actorId, name);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ActorAddressException)
            {
                // a failing timer callback is not retried; the schedule continues
            }

            if (period is { } next && slot.Timers.TryGetValue(name, out var current) && ReferenceEquals(current, timer))
            {
                timer.Change(next, Timeout.InfiniteTimeSpan);
            }
            else if (period is null)
            {
                slot.Timers.TryRemove(new KeyValuePair<string, ITimer>(name, timer!));
            }
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (slot.Timers.TryRemove(name, out var previous))
        {
            previous.Dispose();
        }

        slot.Timers[name] = timer;
        timer.Change(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, Timeout.InfiniteTimeSpan);
    }

    public void UnregisterTimer(string actorType, string actorId, string name)
    {
        if (_slots.TryGetValue((actorType, actorId), out var slot) && slot.Timers.TryRemove(name, out var timer))
        {
            timer.Dispose();
        }
    }

    public async Task DeactivateIdleAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = backplane.Time.GetUtcNow();
            foreach (var ((type, id), slot) in _slots)
            {
                if (!_types.TryGetValue(type, out var host) || now - slot.LastUsed < host.IdleTimeout || !slot.Lock.Wait(0, CancellationToken.None))
                {
                    continue;
                }

                try
                {
                    if (!host.Host.AppConnected)
                    {
                        continue;
                    }

                    using var response = await host.Host.CallAppAsync(new HttpRequestMessage(HttpMethod.Delete, $"actors/{type}/{id}"), stopping);
                    if (response.StatusCode == HttpStatusCode.OK && _slots.TryRemove(new KeyValuePair<(string, string), Slot>((type, id), slot)))
                    {
                        foreach (var timer in slot.Timers.Values)
                        {
                            timer.Dispose();
                        }
                    }
                }
                catch (HttpRequestException)
                {
                    // the app is gone; try again later
                }
                finally
                {
                    slot.Lock.Release();
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            foreach (var timer in slot.Timers.Values)
            {
                timer.Dispose();
            }
        }
    }

    internal static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}

/// <summary>Placement knows no host for the actor type.</summary>
internal sealed class ActorAddressException(string message) : Exception(message);

/// <summary>Durable reminders, fired through placement; failures retried with Dapr's built-in reminder backoff.</summary>
internal sealed class ReminderTable(DaprBackplane backplane)
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Type, string Id, string Name), Reminder> _reminders = [];
    private readonly HashSet<(string, string, string)> _firing = [];
    private long _generation;

    internal sealed record Reminder(string Type, string Id, string Name, DateTimeOffset DueAt, TimeSpan? Period, JsonNode? Data, string DueTimeText, string PeriodText, long Generation, int Failures);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _reminders.Count;
            }
        }
    }

    public void Upsert(string type, string id, string name, DateTimeOffset dueAt, TimeSpan? period, JsonNode? data, string dueTimeText, string periodText)
    {
        lock (_gate)
        {
            _reminders[(type, id, name)] = new Reminder(type, id, name, dueAt, period, data, dueTimeText, periodText, ++_generation, 0);
        }
    }

    public bool Remove(string type, string id, string name)
    {
        lock (_gate)
        {
            return _reminders.Remove((type, id, name));
        }
    }

    public Reminder? Get(string type, string id, string name)
    {
        lock (_gate)
        {
            return _reminders.TryGetValue((type, id, name), out var reminder) ? reminder : null;
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(20, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            List<Reminder> due;
            var now = backplane.Time.GetUtcNow();
            lock (_gate)
            {
                due = _reminders.Values.Where(r => r.DueAt <= now && !_firing.Contains((r.Type, r.Id, r.Name))).ToList();
                foreach (var reminder in due)
                {
                    _firing.Add((reminder.Type, reminder.Id, reminder.Name));
                }
            }

            foreach (var reminder in due)
            {
                _ = Task.Run(() => FireAsync(reminder, stopping), stopping);
            }
        }
    }

    private async Task FireAsync(Reminder reminder, CancellationToken stopping)
    {
        var succeeded = false;
        var cancel = false;
        try
        {
            var body = new JsonObject { ["data"] = reminder.Data?.DeepClone(), ["dueTime"] = reminder.DueTimeText, ["period"] = reminder.PeriodText };
            using var response = await backplane.Placement.CallAsync(reminder.Type, reminder.Id,
                () => new HttpRequestMessage(HttpMethod.Put, $"actors/{reminder.Type}/{reminder.Id}/method/remind/{reminder.Name}") { Content = Placement.Json(body) },
                stopping);
            succeeded = response.StatusCode == HttpStatusCode.OK; // only 200 counts; a 204 is an error to the sidecar
            cancel = response.Headers.TryGetValues("X-DaprReminderCancel", out var values) && values.Contains("true");
        }
        catch (Exception ex) when (ex is HttpRequestException or ActorAddressException or OperationCanceledException)
        {
            succeeded = false;
        }

        var now = backplane.Time.GetUtcNow();
        lock (_gate)
        {
            _firing.Remove((reminder.Type, reminder.Id, reminder.Name));
            if (!_reminders.TryGetValue((reminder.Type, reminder.Id, reminder.Name), out var current) || current.Generation != reminder.Generation)
            {
                return; // re-registered or removed while it fired
            }

            if (cancel || (succeeded && reminder.Period is null))
            {
                _reminders.Remove((reminder.Type, reminder.Id, reminder.Name));
            }
            else if (succeeded)
            {
                _reminders[(reminder.Type, reminder.Id, reminder.Name)] = current with { DueAt = now + reminder.Period!.Value, Failures = 0 };
            }
            else
            {
                var backoff = TimeSpan.FromMilliseconds(Math.Min(backplane.Options.ReminderRetryMax.TotalMilliseconds,
                    backplane.Options.ReminderRetryInitial.TotalMilliseconds * Math.Pow(2, current.Failures)));
                _reminders[(reminder.Type, reminder.Id, reminder.Name)] = current with { DueAt = now + backoff, Failures = current.Failures + 1 };
            }
        }
    }
}
