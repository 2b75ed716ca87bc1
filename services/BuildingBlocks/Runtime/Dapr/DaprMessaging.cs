using System.Text.Json;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// Publishes our own complete CloudEvent (<c>application/cloudevents+json</c>) to <c>/v1.0/publish/{pubsub}/{topic}</c>,
/// so the id, source, type and <c>traceparent</c> are ours and identical to the embedded runtime's.
/// </summary>
internal sealed class DaprEventPublisher(string appId, DaprSidecar sidecar, TimeProvider time) : IEventPublisher
{
    public async Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pubsubName);
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        var envelope = CloudEvent.Create(appId, pubsubName, topicName, data, metadata, time.GetUtcNow());
        using var client = sidecar.CreateClient();
        var path = $"v1.0/publish/{Uri.EscapeDataString(pubsubName)}/{topicName}";
        using var response = await client.PostAsync(path, DaprSidecar.Json(JsonSerializer.Serialize(envelope, RuntimeJson.Options), "application/cloudevents+json"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await DaprSidecar.ReadErrorAsync(response, cancellationToken);
            throw new DaprException($"Publishing to {pubsubName}/{topicName} failed: {error}", error);
        }
    }
}

/// <summary>Service invocation through the sidecar: the original path, with the target in <c>dapr-app-id</c>.</summary>
internal sealed class DaprServiceInvoker(DaprSidecar sidecar) : IServiceInvoker
{
    // The handler chain ends in the sidecar's shared pool, so the client must not dispose it.
    public HttpClient CreateHttpClient(string appId) =>
        new(new SidecarHandler(appId, sidecar), disposeHandler: false) { BaseAddress = new Uri($"http://{appId}/") };

    private sealed class SidecarHandler(string appId, DaprSidecar sidecar) : DelegatingHandler(sidecar.Handler)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
            request.RequestUri = new Uri(sidecar.Options.SidecarAddress, target.PathAndQuery.TrimStart('/'));
            request.Headers.Remove("dapr-app-id");
            request.Headers.Add("dapr-app-id", appId);
            if (sidecar.Options.ApiToken is { } token)
            {
                request.Headers.Remove(DaprSidecar.ApiTokenHeader);
                request.Headers.Add(DaprSidecar.ApiTokenHeader, token);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.InternalServerError
                && response.Content.Headers.ContentType?.MediaType == "application/json"
                && (await DaprSidecar.ReadErrorAsync(response, cancellationToken)) is { ErrorCode: "ERR_DIRECT_INVOKE" } error)
            {
                response.Dispose();
                throw new ServiceInvocationException($"The sidecar could not invoke app '{appId}': {error.Message}");
            }

            return response;
        }
    }
}
