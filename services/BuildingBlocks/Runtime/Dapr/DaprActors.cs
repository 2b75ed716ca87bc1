using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>Actor calls through <c>/v1.0/actors/{type}/{id}/method/{method}</c>; the sidecar places and serializes them.</summary>
internal sealed class DaprActorInvoker(DaprSidecar sidecar) : IActorInvoker
{
    public async Task<byte[]> InvokeMethodAsync(string actorType, string actorId, string method, byte[] payload, CancellationToken cancellationToken)
    {
        using var client = sidecar.CreateClient();
        using var content = new ByteArrayContent(payload);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PutAsync(DaprActorPaths.Method(actorType, actorId, method), content, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.Headers.Contains(DaprActorPaths.ErrorResponseHeader))
        {
            var error = JsonSerializer.Deserialize<ActorError>(body, JsonSerializerOptions.Web);
            throw new ActorMethodInvocationException(actorType, method, error?.ErrorType ?? "unknown", error?.Message ?? "");
        }

        if (response.StatusCode == HttpStatusCode.OK)
        {
            return body;
        }

        var dapr = await DaprSidecar.ReadErrorAsync(response, cancellationToken);
        if (dapr.Message.Contains("did not find address for actor", StringComparison.OrdinalIgnoreCase)
            || dapr.Message.Contains("actor type", StringComparison.OrdinalIgnoreCase) && dapr.Message.Contains("not", StringComparison.OrdinalIgnoreCase) && dapr.Message.Contains(actorType, StringComparison.Ordinal))
        {
            throw new ActorNotFoundException($"Actor type '{actorType}' is not hosted by any app: {dapr.Message}");
        }

        throw new ActorMethodInvocationException(actorType, method, dapr.ErrorCode, dapr.Message);
    }
}

/// <summary>The body an app returns, with <see cref="DaprActorPaths.ErrorResponseHeader"/>, when an actor method threw.</summary>
internal sealed record ActorError(string ErrorType, string Message);

internal static class DaprActorPaths
{
    /// <summary>Marks an application-level actor error; the sidecar relays it (and the 200) to the caller.</summary>
    public const string ErrorResponseHeader = "X-DaprErrorResponseHeader";

    public static string Method(string type, string id, string method) => $"v1.0/actors/{Escape(type)}/{Escape(id)}/method/{Escape(method)}";

    public static string State(string type, string id) => $"v1.0/actors/{Escape(type)}/{Escape(id)}/state";

    public static string Reminder(string type, string id, string name) => $"v1.0/actors/{Escape(type)}/{Escape(id)}/reminders/{Escape(name)}";

    public static string Timer(string type, string id, string name) => $"v1.0/actors/{Escape(type)}/{Escape(id)}/timers/{Escape(name)}";

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}

/// <summary>
/// Actor state and reminders through the sidecar. A turn's reminder changes are sent first, then its state as
/// one actor-state transaction: a committed turn never lacks its reminders (a stray reminder after a failed
/// state write finds nothing to do). Only the sidecar hosting the actor may do either, which holds because
/// both happen inside the actor's turn.
/// </summary>
internal sealed class DaprActorStateStore(DaprSidecar sidecar) : IActorStateStore
{
    public async Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        using var client = sidecar.CreateClient();
        using var response = await client.GetAsync($"{DaprActorPaths.State(actorType, actorId)}/{Uri.EscapeDataString(key)}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return default;
        }

        await EnsureAsync(response, $"read state '{key}' of actor {actorType}/{actorId}", cancellationToken);
        return new ActorStateValue(true, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    public async Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state,
        IReadOnlyList<ActorReminderChange> reminders, CancellationToken cancellationToken)
    {
        using var client = sidecar.CreateClient();
        foreach (var reminder in reminders)
        {
            var path = DaprActorPaths.Reminder(actorType, actorId, reminder.Name);
            using var response = reminder.Remove
                ? await client.DeleteAsync(path, cancellationToken)
                : await client.PutAsync(path, DaprSidecar.Json(ReminderBody(reminder)), cancellationToken);
            await EnsureAsync(response, $"{(reminder.Remove ? "remove" : "register")} reminder '{reminder.Name}' of actor {actorType}/{actorId}", cancellationToken);
        }

        if (state.Count == 0)
        {
            return;
        }

        var operations = new JsonArray(state.Select(change => (JsonNode)new JsonObject
        {
            ["operation"] = change.IsRemove ? "delete" : "upsert",
            ["request"] = change.IsRemove
                ? new JsonObject { ["key"] = change.Key }
                : new JsonObject { ["key"] = change.Key, ["value"] = JsonNode.Parse(change.Value!) },
        }).ToArray());
        using var commit = await client.PostAsync(DaprActorPaths.State(actorType, actorId), DaprSidecar.Json(operations.ToJsonString()), cancellationToken);
        await EnsureAsync(commit, $"commit the state of actor {actorType}/{actorId}", cancellationToken);
    }

    /// <summary>An absolute due time (RFC 3339) and a Go-duration period; the data as base64, as the .NET SDK sends bytes.</summary>
    private static string ReminderBody(ActorReminderChange reminder)
    {
        var body = new JsonObject { ["dueTime"] = reminder.DueAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        if (reminder.Period is { } period)
        {
            body["period"] = DaprSidecar.GoDuration(period);
        }

        if (reminder.Data is { } data)
        {
            body["data"] = Convert.ToBase64String(data);
        }

        return body.ToJsonString();
    }

    internal static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var error = await DaprSidecar.ReadErrorAsync(response, cancellationToken);
            throw new DaprException($"Could not {what}: {error}", error);
        }
    }
}

/// <summary>Actor timers live in the sidecar and fire back as <c>PUT /actors/{type}/{id}/method/timer/{name}</c>.</summary>
internal sealed class DaprActorTimerScheduler(DaprSidecar sidecar) : IActorTimerScheduler
{
    public async Task RegisterAsync(string actorType, string actorId, ActorTimer timer, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["dueTime"] = DaprSidecar.GoDuration(timer.DueTime),
            ["callback"] = timer.Callback,
        };
        if (timer.Period > TimeSpan.Zero)
        {
            body["period"] = DaprSidecar.GoDuration(timer.Period);
        }

        if (timer.State is { } data)
        {
            body["data"] = Convert.ToBase64String(data);
        }

        using var client = sidecar.CreateClient();
        using var response = await client.PutAsync(DaprActorPaths.Timer(actorType, actorId, timer.Name), DaprSidecar.Json(body.ToJsonString()), cancellationToken);
        await DaprActorStateStore.EnsureAsync(response, $"register timer '{timer.Name}' of actor {actorType}/{actorId}", cancellationToken);
    }

    public async Task UnregisterAsync(string actorType, string actorId, string timerName, CancellationToken cancellationToken)
    {
        using var client = sidecar.CreateClient();
        using var response = await client.DeleteAsync(DaprActorPaths.Timer(actorType, actorId, timerName), cancellationToken);
        await DaprActorStateStore.EnsureAsync(response, $"remove timer '{timerName}' of actor {actorType}/{actorId}", cancellationToken);
    }

    /// <summary>The sidecar drops an actor's timers when it deactivates it.</summary>
    public void OnDeactivated(string actorType, string actorId)
    {
    }
}
