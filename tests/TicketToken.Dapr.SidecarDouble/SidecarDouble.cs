using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using HttpProtocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols;
using ListenOptions = Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TicketToken.Dapr.SidecarDouble;

public sealed record SidecarDoubleOptions
{
    public required string AppId { get; init; }

    /// <summary>DAPR_API_TOKEN: when set, every API call but the health checks must carry it.</summary>
    public string? ApiToken { get; init; }

    /// <summary>APP_API_TOKEN: when set, the sidecar sends it on every call to the app.</summary>
    public string? AppApiToken { get; init; }
}

/// <summary>
/// One sidecar of the double: the Dapr HTTP API and the gRPC API (the methods Dapr.Client calls) on two free
/// loopback ports, for one app-id, on a shared <see cref="DaprBackplane"/>. It implements the documented contract
/// listed in <see cref="DocumentedBehaviours"/>; both faces share one store and one broker.
/// </summary>
public sealed class SidecarDouble : IAsyncDisposable
{
    /// <summary>The documented sidecar behaviours this double implements (printed by the tests that use it).</summary>
    public static IReadOnlyList<string> DocumentedBehaviours { get; } =
    [
        "grpc: dapr.proto.runtime.v1.Dapr GetState, GetBulkState, SaveState, DeleteState, ExecuteStateTransaction, PublishEvent and GetMetadata over HTTP/2 on the gRPC port, sharing the HTTP face's store and broker; ETag mismatch ABORTED, malformed ETag and unknown store or pub/sub INVALID_ARGUMENT, any transaction failure INTERNAL, missing dapr-api-token UNAUTHENTICATED; other methods UNIMPLEMENTED",
        "health: GET /v1.0/healthz/outbound answers 204 before the app is connected; /v1.0/healthz 204 only once it is",
        "tokens: dapr-api-token required on every API call except the health checks (401 'invalid api token'); APP_API_TOKEN sent as dapr-api-token on every call to the app",
        "state: POST/PUT /v1.0/state/{store} takes an array of items; 204; keys stored as {appId}||{key}",
        "state: GET returns the value with an ETag header, 204 when missing; DELETE takes If-Match",
        "state: ETag mismatch is 409 ERR_STATE_SAVE / ERR_STATE_DELETE; a malformed ETag is 400",
        "state: first-write concurrency without an ETag only inserts",
        "state: ttlInSeconds per item or as ?metadata.ttlInSeconds; expired keys are not returned",
        "state: bulk get answers items with 'data' (not 'value') and 'etag'",
        "state: /transaction applies all operations or none; any failure, ETag mismatch included, is 500 ERR_STATE_TRANSACTION",
        "state: unknown store is 400 ERR_STATE_STORE_NOT_FOUND",
        "publish: POST /v1.0/publish/{pubsub}/{topic}, 204; application/cloudevents+json kept as sent, topic and pubsubname filled; unknown pubsub 404 ERR_PUBSUB_NOT_FOUND",
        "subscribe: GET /dapr/subscribe read once when the sidecar starts; 404 means no subscriptions; route (or routes.default) and deadLetterTopic honoured; field names read case-insensitively, as Go's JSON decoder does (Dapr.AspNetCore writes pubsubName)",
        "delivery: POST to the route with application/cloudevents+json; 2xx with SUCCESS, empty or unparsable body acks; RETRY and other words redeliver; DROP and HTTP 404 drop to the dead-letter topic; other statuses redeliver; retries then the dead-letter topic",
        "actors: GET /dapr/config read when the sidecar starts (entities, actorIdleTimeout)",
        "actors: /v1.0/actors/{type}/{id}/method/{m} from any verb becomes PUT /actors/{type}/{id}/method/{m} on the hosting app; the caller's headers (X-DaprRequestHeader of remoting included) are forwarded, the token excepted; only 200 is success; X-DaprErrorResponseHeader is relayed with its 200; unknown type is 500 ERR_ACTOR_INVOKE_METHOD 'did not find address for actor'",
        "actors: one call at a time per actor id (the sidecar's lock)",
        "actors: GET .../state/{key} 200 or 204; POST .../state transaction only for an actor active on this sidecar (400 ERR_ACTOR_INSTANCE_MISSING)",
        "actors: reminders only from the sidecar hosting the type (403 ERR_ACTOR_REMINDER_NON_HOSTED); dueTime RFC 3339, Go or ISO 8601; period Go or ISO 8601; re-registering replaces; fired as PUT .../method/remind/{name} with data, dueTime, period; one-shot removed after a 200; failures retried with backoff (built-in reminder retries); X-DaprReminderCancel stops it",
        "actors: timers fire as PUT .../method/timer/{name} with callback and data, are not retried, and die with the activation",
        "actors: idle actors deactivated with DELETE /actors/{type}/{id} after actorIdleTimeout",
        "invocation: /v1.0/invoke/{app}/method/{path} and the dapr-app-id header; the caller's headers (but the token) reach the callee and the callee's come back; the callee gets dapr-caller-app-id and dapr-callee-app-id; unknown app is 500 ERR_DIRECT_INVOKE",
    ];

    private readonly WebApplication _web;
    private readonly DaprBackplane _backplane;
    private readonly List<HttpClient> _retired = [];
    private HttpClient? _app;

    private static readonly JsonNodeOptions GoJson = new() { PropertyNameCaseInsensitive = true };

    private SidecarDouble(WebApplication web, DaprBackplane backplane, SidecarDoubleOptions options, Uri address, Uri grpcAddress)
    {
        _web = web;
        _backplane = backplane;
        Options = options;
        Address = address;
        GrpcAddress = grpcAddress;
    }

    public SidecarDoubleOptions Options { get; }
    public string AppId => Options.AppId;
    public Uri Address { get; }
    public int Port => Address.Port;

    /// <summary>The gRPC API (HTTP/2 without TLS), what <c>DAPR_GRPC_PORT</c> points at.</summary>
    public Uri GrpcAddress { get; }

    public int GrpcPort => GrpcAddress.Port;
    public bool AppConnected { get; private set; }

    public static async Task<SidecarDouble> StartAsync(DaprBackplane backplane, SidecarDoubleOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(SidecarDouble).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http = listen).Protocols = HttpProtocols.Http1);
            // gRPC clients speak HTTP/2 with prior knowledge when there is no TLS, so that port speaks nothing else.
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
        });
        var reference = new SidecarReference();
        builder.Services.AddSingleton(reference);
        builder.Services.AddGrpc();
        var web = builder.Build();
        SidecarDouble? sidecar = null;
        web.Use((context, next) => sidecar!.GuardAsync(context, next));
        MapApi(web, () => sidecar!);
        web.MapGrpcService<GrpcFace>();
        await web.StartAsync();
        sidecar = new SidecarDouble(web, backplane, options, new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}/"), new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}/"));
        reference.Sidecar = sidecar;
        backplane.Attach(sidecar);
        return sidecar;
    }

    /// <summary>What daprd does when it starts next to the app: read /dapr/config and /dapr/subscribe, then serve the app.</summary>
    public async Task ConnectAppAsync(Uri appAddress, CancellationToken cancellationToken = default)
    {
        AppConnected = false;
        // Deliveries to the previous process may still be on the old client: it is retired, not disposed under them.
        if (_app is not null)
        {
            _retired.Add(_app);
        }

        _app = new HttpClient { BaseAddress = appAddress, Timeout = TimeSpan.FromSeconds(30) };

        using (var config = await CallAppAsync(new HttpRequestMessage(HttpMethod.Get, "dapr/config"), cancellationToken))
        {
            if (config.StatusCode == HttpStatusCode.OK && JsonNode.Parse(await config.Content.ReadAsStringAsync(cancellationToken), GoJson) is JsonObject body)
            {
                var entities = body["entities"]?.AsArray().Select(e => (string)e!).ToList() ?? [];
                var idle = Durations.Period((string?)body["actorIdleTimeout"]) ?? TimeSpan.FromMinutes(60);
                _backplane.Placement.Host(this, entities, idle);
            }
        }

        using (var subscribe = await CallAppAsync(new HttpRequestMessage(HttpMethod.Get, "dapr/subscribe"), cancellationToken))
        {
            var subscriptions = new List<(string, string, string, string?)>();
            if (subscribe.StatusCode == HttpStatusCode.OK)
            {
                foreach (var item in JsonNode.Parse(await subscribe.Content.ReadAsStringAsync(cancellationToken), GoJson)!.AsArray().OfType<JsonObject>())
                {
                    var route = (string?)item["route"] ?? (string?)item["routes"]?["default"];
                    if (route is not null)
                    {
                        subscriptions.Add(((string)item["pubsubname"]!, (string)item["topic"]!, route, (string?)item["deadLetterTopic"]));
                    }
                }
            }

            _backplane.Broker.Subscribe(AppId, subscriptions);
        }

        AppConnected = true;
    }

    /// <summary>The app went away (killed): calls to it fail until it connects again.</summary>
    public void DisconnectApp() => AppConnected = false;

    internal async Task<HttpResponseMessage> CallAppAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var app = _app ?? throw new HttpRequestException("No app is connected to this sidecar.");
        request.Headers.TryAddWithoutValidation("dapr-app-id", AppId);
        if (Options.AppApiToken is { } token)
        {
            request.Headers.Remove("dapr-api-token");
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }

        return await app.SendAsync(request, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        AppConnected = false;
        _app?.Dispose();
        _retired.ForEach(client => client.Dispose());
        await _web.StopAsync();
        await _web.DisposeAsync();
    }

    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            await next(context); // the gRPC face checks the token itself and answers with gRPC statuses
            return;
        }

        if (Options.ApiToken is { } token && !path.StartsWithSegments("/v1.0/healthz") && context.Request.Headers["dapr-api-token"] != token)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("invalid api token");
            return;
        }

        // Invocation by header: the original path, the target app in dapr-app-id.
        if (!path.StartsWithSegments("/v1.0") && context.Request.Headers["dapr-app-id"] is { Count: > 0 } target)
        {
            await ForwardAsync(context, target.ToString(), path + context.Request.QueryString);
            return;
        }

        await next(context);
    }

    private static void MapApi(WebApplication web, Func<SidecarDouble> self)
    {
        web.MapGet("/v1.0/healthz", () => self().AppConnected ? Results.NoContent() : Results.StatusCode(500));
        web.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        web.MapGet("/v1.0/metadata", () => Results.Json(new { id = self().AppId, runtimeVersion = "double" }));

        web.MapMethods("/v1.0/state/{store}", ["POST", "PUT"], (string store, HttpContext context) => self().SaveStateAsync(store, context));
        web.MapMethods("/v1.0/state/{store}/bulk", ["POST", "PUT"], (string store, HttpContext context) => self().BulkGetAsync(store, context));
        web.MapMethods("/v1.0/state/{store}/transaction", ["POST", "PUT"], (string store, HttpContext context) => self().TransactionAsync(store, context));
        web.MapGet("/v1.0/state/{store}/{key}", (string store, string key, HttpContext context) => self().GetState(store, key, context));
        web.MapDelete("/v1.0/state/{store}/{key}", (string store, string key, HttpContext context) => self().DeleteState(store, key, context));

        web.MapMethods("/v1.0/publish/{pubsub}/{**topic}", ["POST", "PUT"], (string pubsub, string topic, HttpContext context) => self().PublishAsync(pubsub, topic, context));
        web.Map("/v1.0/invoke/{app}/method/{**path}", (string app, string path, HttpContext context) => self().ForwardAsync(context, app, "/" + path + context.Request.QueryString));

        web.MapMethods("/v1.0/actors/{type}/{id}/method/{method}", ["GET", "POST", "PUT", "DELETE"],
            (string type, string id, string method, HttpContext context) => self().ActorMethodAsync(type, id, method, context));
        web.MapGet("/v1.0/actors/{type}/{id}/state/{key}", (string type, string id, string key) => self().ActorStateGet(type, id, key));
        web.MapMethods("/v1.0/actors/{type}/{id}/state", ["POST", "PUT"], (string type, string id, HttpContext context) => self().ActorStateTransactionAsync(type, id, context));
        web.MapMethods("/v1.0/actors/{type}/{id}/reminders/{name}", ["POST", "PUT"], (string type, string id, string name, HttpContext context) => self().ReminderPutAsync(type, id, name, context));
        web.MapGet("/v1.0/actors/{type}/{id}/reminders/{name}", (string type, string id, string name) => self().ReminderGet(type, id, name));
        web.MapDelete("/v1.0/actors/{type}/{id}/reminders/{name}", (string type, string id, string name) => self().ReminderDelete(type, id, name));
        web.MapMethods("/v1.0/actors/{type}/{id}/timers/{name}", ["POST", "PUT"], (string type, string id, string name, HttpContext context) => self().TimerPutAsync(type, id, name, context));
        web.MapDelete("/v1.0/actors/{type}/{id}/timers/{name}", (string type, string id, string name) => self().TimerDelete(type, id, name));
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new { errorCode = code, message }, statusCode: status);

    internal bool KnownStore(string store) => _backplane.Options.StateStores.Contains(store);

    private string StateKey(string key) => $"{AppId}||{key}";

    /// <summary>The app's value under <paramref name="key"/> (prefixed with the app-id, as every face stores it).</summary>
    internal (string Json, string ETag)? ReadState(string key) => _backplane.State.Get(StateKey(key));

    internal KeyValueStore.Outcome WriteState(KeyValueStore.Write write) => _backplane.State.Apply(write with { Key = StateKey(write.Key) });

    internal KeyValueStore.Outcome WriteStateTransaction(IEnumerable<KeyValueStore.Write> writes) =>
        _backplane.State.ApplyAll([.. writes.Select(w => w with { Key = StateKey(w.Key) })]);

    private async Task<IResult> SaveStateAsync(string store, HttpContext context)
    {
        if (!KnownStore(store))
        {
            return Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
        }

        var items = await JsonNode.ParseAsync(context.Request.Body) as JsonArray;
        if (items is null)
        {
            return Error(400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: expected an array of state items");
        }

        foreach (var item in items.OfType<JsonObject>())
        {
            var key = (string?)item["key"];
            if (string.IsNullOrEmpty(key) || key.Contains("||", StringComparison.Ordinal))
            {
                return Error(400, "ERR_MALFORMED_REQUEST", $"input key/keyPrefix '{key}' can't contain '||'");
            }

            var outcome = _backplane.State.Apply(new KeyValueStore.Write(StateKey(key), item["value"]?.ToJsonString() ?? "null",
                (string?)item["etag"], FirstWrite(item["options"]), Ttl(item["metadata"], context.Request.Query)));
            if (outcome != KeyValueStore.Outcome.Ok)
            {
                return outcome == KeyValueStore.Outcome.ETagInvalid
                    ? Error(400, "ERR_STATE_SAVE", "failed saving state in state store statestore: invalid etag value")
                    : Error(409, "ERR_STATE_SAVE", "failed saving state in state store statestore: possible etag mismatch. error from state store: ERR Error running script");
            }
        }

        return Results.NoContent();
    }

    private IResult GetState(string store, string key, HttpContext context)
    {
        if (!KnownStore(store))
        {
            return Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
        }

        if (_backplane.State.Get(StateKey(key)) is not { } found)
        {
            return Results.NoContent();
        }

        context.Response.Headers.ETag = found.ETag;
        return Results.Text(found.Json, "application/json");
    }

    private IResult DeleteState(string store, string key, HttpContext context)
    {
        if (!KnownStore(store))
        {
            return Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
        }

        var etag = context.Request.Headers.IfMatch.FirstOrDefault();
        return _backplane.State.Apply(new KeyValueStore.Write(StateKey(key), null, etag, false, null)) switch
        {
            KeyValueStore.Outcome.Ok => Results.NoContent(),
            KeyValueStore.Outcome.ETagInvalid => Error(400, "ERR_STATE_DELETE", "failed deleting state with key " + key + ": invalid etag value"),
            _ => Error(409, "ERR_STATE_DELETE", "failed deleting state with key " + key + ": possible etag mismatch"),
        };
    }

    private async Task<IResult> BulkGetAsync(string store, HttpContext context)
    {
        if (!KnownStore(store))
        {
            return Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
        }

        var body = await JsonNode.ParseAsync(context.Request.Body);
        var items = new JsonArray();
        foreach (var key in body?["keys"]?.AsArray().Select(k => (string)k!) ?? [])
        {
            var item = new JsonObject { ["key"] = key };
            if (_backplane.State.Get(StateKey(key)) is { } found)
            {
                item["data"] = JsonNode.Parse(found.Json);
                item["etag"] = found.ETag;
            }

            items.Add(item);
        }

        return Results.Text(items.ToJsonString(), "application/json");
    }

    private async Task<IResult> TransactionAsync(string store, HttpContext context)
    {
        if (!KnownStore(store))
        {
            return Error(400, "ERR_STATE_STORE_NOT_FOUND", $"state store {store} is not found");
        }

        var body = await JsonNode.ParseAsync(context.Request.Body);
        var writes = new List<KeyValueStore.Write>();
        foreach (var operation in body?["operations"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            var request = operation["request"] as JsonObject;
            var key = (string?)request?["key"];
            var kind = (string?)operation["operation"];
            if (key is null || kind is not ("upsert" or "delete"))
            {
                return Error(400, "ERR_MALFORMED_REQUEST", $"operation type {kind} not supported");
            }

            var metadata = request!["metadata"] ?? body!["metadata"];
            writes.Add(new KeyValueStore.Write(StateKey(key), kind == "upsert" ? request["value"]?.ToJsonString() ?? "null" : null,
                (string?)request["etag"], FirstWrite(request["options"]), Ttl(metadata, context.Request.Query)));
        }

        // Inside a transaction the runtime does not map ETag errors to 409: every failure is a 500.
        return _backplane.State.ApplyAll(writes) == KeyValueStore.Outcome.Ok
            ? Results.NoContent()
            : Error(500, "ERR_STATE_TRANSACTION", "error while executing state transaction: possible etag mismatch");
    }

    private async Task<IResult> PublishAsync(string pubsub, string topic, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var traceparent = context.Request.Headers.TryGetValue("traceparent", out var header) ? header.ToString() : null;
        return PublishEnvelope(pubsub, topic, context.Request.ContentType ?? "text/plain", text, traceparent) switch
        {
            PublishOutcome.Ok => Results.NoContent(),
            PublishOutcome.PubSubNotFound => Error(404, "ERR_PUBSUB_NOT_FOUND", $"pubsub {pubsub} not found"),
            _ => Error(400, "ERR_PUBSUB_CLOUD_EVENTS_SER", "cannot deserialize cloud event"),
        };
    }

    internal enum PublishOutcome
    {
        Ok,
        PubSubNotFound,
        NotACloudEvent,
    }

    /// <summary>
    /// What both faces do with a published payload: a complete CloudEvent (<c>application/cloudevents+json</c>) is
    /// kept as sent with its gaps filled; anything else is wrapped in one.
    /// </summary>
    internal PublishOutcome PublishEnvelope(string pubsub, string topic, string contentType, string text, string? traceparent)
    {
        if (!_backplane.Options.PubSubs.Contains(pubsub))
        {
            return PublishOutcome.PubSubNotFound;
        }

        JsonObject cloudEvent;
        if (contentType.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase))
        {
            if (JsonNode.Parse(text) is not JsonObject sent)
            {
                return PublishOutcome.NotACloudEvent;
            }

            cloudEvent = sent;
            cloudEvent["id"] ??= Guid.NewGuid().ToString();
            cloudEvent["source"] ??= AppId;
            cloudEvent["type"] ??= "com.dapr.event.sent";
            cloudEvent["specversion"] ??= "1.0";
            cloudEvent["time"] ??= _backplane.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        }
        else
        {
            cloudEvent = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["source"] = AppId,
                ["type"] = "com.dapr.event.sent",
                ["specversion"] = "1.0",
                ["datacontenttype"] = contentType,
                ["time"] = _backplane.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                ["data"] = contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ? JsonNode.Parse(text) : JsonValue.Create(text),
            };
        }

        if (traceparent is { Length: > 0 })
        {
            cloudEvent["traceparent"] ??= traceparent;
        }

        _backplane.Broker.Publish(pubsub, topic, cloudEvent);
        return PublishOutcome.Ok;
    }

    private async Task ForwardAsync(HttpContext context, string targetApp, string pathAndQuery)
    {
        var target = _backplane.Sidecar(targetApp);
        if (target is null || !target.AppConnected)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = $"failed to invoke, id: {targetApp}: app not found" });
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), pathAndQuery.TrimStart('/'));
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        // Every header of the caller travels on (a webhook's signature header, say); the token is the hop's own.
        foreach (var header in context.Request.Headers.Where(h => !NotForwarded.Contains(h.Key) && !h.Key.StartsWith("dapr-", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        }

        request.Headers.TryAddWithoutValidation("dapr-caller-app-id", AppId);
        request.Headers.TryAddWithoutValidation("dapr-callee-app-id", targetApp);
        try
        {
            using var response = await target.CallAppAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Where(h => !NotForwarded.Contains(h.Key)))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }

            if (response.Content.Headers.ContentType is { } contentType)
            {
                context.Response.ContentType = contentType.ToString();
            }

            await response.Content.CopyToAsync(context.Response.Body);
        }
        catch (HttpRequestException ex)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = ex.Message });
        }
    }

    private async Task<IResult> ActorMethodAsync(string type, string id, string method, HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        try
        {
            using var response = await _backplane.Placement.CallAsync(type, id, () =>
            {
                // The sidecar always calls the app with PUT, whatever verb the caller used.
                var request = new HttpRequestMessage(HttpMethod.Put, $"actors/{type}/{id}/method/{method}") { Content = new ByteArrayContent(bytes) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType ?? "application/json");
                // The caller's headers travel with the call (Dapr.Actors' remoting puts its message header in
                // X-DaprRequestHeader, and the app's runtime tells remoting from JSON calls by it).
                foreach (var header in context.Request.Headers.Where(h => !NotForwarded.Contains(h.Key)))
                {
                    request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
                }

                return request;
            }, context.RequestAborted);
            var result = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Error(500, "ERR_ACTOR_INVOKE_METHOD", response.StatusCode == HttpStatusCode.NotFound
                    ? $"error from actor service: actor method {method} not found"
                    : "error from actor service: " + Encoding.UTF8.GetString(result));
            }

            if (response.Headers.TryGetValues("X-DaprErrorResponseHeader", out var marker))
            {
                context.Response.Headers["X-DaprErrorResponseHeader"] = marker.ToArray();
            }

            return Results.Bytes(result, response.Content.Headers.ContentType?.ToString() ?? "application/json");
        }
        catch (ActorAddressException ex)
        {
            return Error(500, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: " + ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return Error(500, "ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: " + ex.Message);
        }
    }

    /// <summary>Connection, content and token headers: the hop to the app sets its own.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Expect", "dapr-api-token",
    };

    private string ActorKey(string type, string id, string key) => $"{AppId}||{type}||{id}||{key}";

    private IResult ActorStateGet(string type, string id, string key) =>
        _backplane.ActorState.Get(ActorKey(type, id, key)) is { } found ? Results.Text(found.Json, "application/json") : Results.NoContent();

    private async Task<IResult> ActorStateTransactionAsync(string type, string id, HttpContext context)
    {
        if (!_backplane.Placement.IsActive(type, id, this))
        {
            return Error(400, "ERR_ACTOR_INSTANCE_MISSING", $"actor instance is missing: {type}/{id}");
        }

        var operations = await JsonNode.ParseAsync(context.Request.Body) as JsonArray ?? [];
        var writes = new List<KeyValueStore.Write>();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var request = operation["request"] as JsonObject;
            var key = (string?)request?["key"] ?? "";
            if (request?["metadata"]?["ttlInSeconds"] is not null)
            {
                return Error(400, "ERR_ACTOR_STATE_TRANSACTION_SAVE", "ttlInSeconds needs the ActorStateTTL feature");
            }

            writes.Add((string?)operation["operation"] switch
            {
                "upsert" => new KeyValueStore.Write(ActorKey(type, id, key), request!["value"]?.ToJsonString() ?? "null", null, false, null),
                "delete" => new KeyValueStore.Write(ActorKey(type, id, key), null, null, false, null),
                var other => throw new BadHttpRequestException($"operation type {other} not supported"),
            });
        }

        _backplane.ActorState.ApplyAll(writes);
        return Results.NoContent();
    }

    private async Task<IResult> ReminderPutAsync(string type, string id, string name, HttpContext context)
    {
        if (_backplane.Placement.HostOf(type) != this)
        {
            return Error(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types");
        }

        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var dueText = (string?)body["dueTime"] ?? "";
        var periodText = (string?)body["period"] ?? "";
        try
        {
            _backplane.Reminders.Upsert(type, id, name, Durations.DueAt(dueText, _backplane.Time.GetUtcNow()), Durations.Period(periodText),
                body["data"]?.DeepClone(), dueText, periodText);
        }
        catch (FormatException ex)
        {
            return Error(400, "ERR_ACTOR_REMINDER_CREATE", ex.Message);
        }

        return Results.NoContent();
    }

    private IResult ReminderGet(string type, string id, string name) =>
        _backplane.Reminders.Get(type, id, name) is { } reminder
            ? Results.Json(new { actorID = id, actorType = type, data = reminder.Data, dueTime = reminder.DueTimeText, period = reminder.PeriodText })
            : Results.NoContent();

    private IResult ReminderDelete(string type, string id, string name)
    {
        if (_backplane.Placement.HostOf(type) != this)
        {
            return Error(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types");
        }

        _backplane.Reminders.Remove(type, id, name);
        return Results.NoContent();
    }

    private async Task<IResult> TimerPutAsync(string type, string id, string name, HttpContext context)
    {
        if (_backplane.Placement.HostOf(type) != this)
        {
            return Error(403, "ERR_ACTOR_TIMER_CREATE", "timers are only possible on hosted actor types");
        }

        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];
        var now = _backplane.Time.GetUtcNow();
        var due = Durations.DueAt((string?)body["dueTime"], now) - now;
        _backplane.Placement.RegisterTimer(type, id, name, due, Durations.Period((string?)body["period"]), (string?)body["callback"] ?? "", body["data"]?.DeepClone());
        return Results.NoContent();
    }

    private IResult TimerDelete(string type, string id, string name)
    {
        _backplane.Placement.UnregisterTimer(type, id, name);
        return Results.NoContent();
    }

    private static bool FirstWrite(JsonNode? options) => (string?)options?["concurrency"] == "first-write";

    private static TimeSpan? Ttl(JsonNode? metadata, IQueryCollection query) =>
        TtlFrom((string?)metadata?["ttlInSeconds"] ?? (query.TryGetValue("metadata.ttlInSeconds", out var fromQuery) ? fromQuery.ToString() : null));

    /// <summary><c>ttlInSeconds</c> as a lifetime; -1, 0 or garbage mean "keep".</summary>
    internal static TimeSpan? TtlFrom(string? text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
}
