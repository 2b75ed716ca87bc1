using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;
using TopicOptions = Dapr.TopicOptions;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// What the sidecar calls on the app: <c>/dapr/config</c> and <c>/dapr/subscribe</c> (read when it starts), the
/// subscription routes, and the actor callbacks. Every one of them requires <c>APP_API_TOKEN</c> when it is set,
/// and so does any other request that claims to come through a sidecar (<c>dapr-caller-app-id</c>).
/// </summary>
internal sealed class DaprAppEndpoints(DaprOptions options) : IRuntimeEndpoints
{
    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var fromSidecar = IsSidecarRoute(context.Request.Path) || context.Request.Headers.ContainsKey("dapr-caller-app-id");
            if (fromSidecar && options.AppApiToken is { } expected && !TokenMatches(context.Request.Headers[DaprSidecar.ApiTokenHeader], expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = 401, Title = "This route is for the Dapr sidecar.", Detail = "The dapr-api-token header is missing or wrong.", Extensions = { ["code"] = "invalid_app_token" } },
                });
                return;
            }

            await next(context);
        });

        var sidecar = app.MapGroup("").ExcludeFromDescription().AllowAnonymous().DisableRateLimiting(); // guarded by APP_API_TOKEN above
        sidecar.MapGet("/dapr/config", AppConfig).WithName("DaprConfig");
        // Dapr.AspNetCore writes /dapr/subscribe from the topic metadata of the delivery routes.
        sidecar.MapSubscribeHandler().WithName("DaprSubscribe");
        foreach (var subscription in app.Services.GetRequiredService<SubscriptionRegistry>().All)
        {
            sidecar.MapPost(subscription.Route, (Func<HttpContext, Task<IResult>>)(context => DeliverAsync(context, subscription)))
                .WithName("DaprDeliver " + subscription.Name)
                .WithTopic(new TopicOptions { PubsubName = subscription.PubSubName, Name = subscription.Topic, DeadLetterTopic = subscription.DeadLetterTopic });
        }

        sidecar.MapPut("/actors/{type}/{id}/method/remind/{name}", ReminderAsync).WithName("DaprActorReminder");
        sidecar.MapPut("/actors/{type}/{id}/method/timer/{name}", TimerAsync).WithName("DaprActorTimer");
        sidecar.MapPut("/actors/{type}/{id}/method/{method}", MethodAsync).WithName("DaprActorMethod");
        sidecar.MapDelete("/actors/{type}/{id}", DeactivateAsync).WithName("DaprActorDeactivate");
    }

    internal static bool IsSidecarRoute(PathString path) => path.StartsWithSegments("/dapr") || path.StartsWithSegments("/actors");

    private static bool TokenMatches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static IResult AppConfig(ActorRegistry actors, ActorRuntime runtime) =>
        Results.Json(new
        {
            entities = actors.Types.Select(t => t.TypeName).ToArray(),
            actorIdleTimeout = DaprSidecar.GoDuration(runtime.Options.IdleTimeout),
            drainOngoingCallTimeout = "30s",
            drainRebalancedActors = true,
            reentrancy = new { enabled = false },
        });

    /// <summary>Runs the handler and answers with Dapr's status words; 200 always, so the sidecar never drops on our account.</summary>
    private static async Task<IResult> DeliverAsync(HttpContext context, TopicSubscription subscription)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("TicketToken.Dapr.PubSub");
        CloudEvent? envelope = null;
        string status;
        try
        {
            envelope = await JsonSerializer.DeserializeAsync<CloudEvent>(context.Request.Body, RuntimeJson.Options, context.RequestAborted);
            var result = await subscription.InvokeAsync(context.RequestServices, envelope!, context.RequestAborted);
            status = result switch
            {
                TopicResult.Success => "SUCCESS",
                TopicResult.Drop => "DROP",
                _ => "RETRY",
            };
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Undecodable event for {Subscription}; dropping it", subscription.Name);
            status = "DROP";
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Handler {Subscription} failed on event {EventId}", subscription.Name, envelope?.Id);
            status = "RETRY";
        }

        return Results.Json(new { status });
    }

    private static async Task<IResult> MethodAsync(string type, string id, string method, HttpContext context, ActorRuntime runtime)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        try
        {
            var result = await runtime.InvokeMethodAsync(type, id, method, buffer.ToArray(), context.RequestAborted);
            return Results.Bytes(result, "application/json");
        }
        catch (ActorNotFoundException ex)
        {
            return Results.NotFound(new { message = ex.Message });
        }
        catch (ActorMethodInvocationException ex)
        {
            // 200 plus the error header: how Dapr relays an application error of an actor to its caller.
            context.Response.Headers[DaprActorPaths.ErrorResponseHeader] = "true";
            return Results.Json(new ActorError(ex.ErrorType, ex.InnerException?.Message ?? ex.Message), JsonSerializerOptions.Web);
        }
    }

    private static async Task<IResult> ReminderAsync(string type, string id, string name, HttpContext context, ActorRuntime runtime)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        await runtime.FireReminderAsync(type, id, name, Data(body?["data"]), Duration(body?["dueTime"]), Duration(body?["period"]), context.RequestAborted);
        return Results.Ok();
    }

    private static async Task<IResult> TimerAsync(string type, string id, string name, HttpContext context, ActorRuntime runtime)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var callback = (string?)body?["callback"] ?? throw new BadHttpRequestException("A timer callback names its method in 'callback'.");
        await runtime.FireTimerAsync(type, id, callback, Data(body?["data"]), context.RequestAborted);
        return Results.Ok();
    }

    private static async Task<IResult> DeactivateAsync(string type, string id, ActorRuntime runtime)
    {
        await runtime.DeactivateAsync(type, id);
        return Results.Ok();
    }

    /// <summary>Bytes travel as base64 strings (what we register, and what the .NET SDK does).</summary>
    private static byte[]? Data(JsonNode? data) =>
        data is JsonValue value && value.TryGetValue<string>(out var text) ? Convert.FromBase64String(text) : null;

    /// <summary>Go durations as Dapr echoes them ("1500ms", "1h2m3s"); anything else reads as "none".</summary>
    internal static TimeSpan Duration(JsonNode? node)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length == 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]) || i < text.Length && text[i] == 'µ')
            {
                i++;
            }

            if (start == unitStart || !double.TryParse(text.AsSpan(start, unitStart - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                return Timeout.InfiniteTimeSpan;
            }

            total += text[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                "us" or "µs" => TimeSpan.FromMicroseconds(amount),
                "ns" => TimeSpan.FromTicks((long)(amount / 100)),
                _ => Timeout.InfiniteTimeSpan,
            };
        }

        return total;
    }
}
