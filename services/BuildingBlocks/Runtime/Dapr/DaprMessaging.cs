using System.Text.Json;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Serialization;
using DaprSdkException = Dapr.DaprException;
using Sdk = Dapr.Client;

namespace TicketToken.BuildingBlocks.Runtime.Dapr;

/// <summary>
/// Publishes our own complete CloudEvent as <c>application/cloudevents+json</c> through Dapr.Client, so the id,
/// source, type and <c>traceparent</c> are ours and identical to the embedded runtime's (the sidecar keeps an
/// envelope it is given).
/// </summary>
internal sealed class DaprEventPublisher(string appId, Sdk.DaprClient dapr, TimeProvider time) : IEventPublisher
{
    public async Task PublishEventAsync<TData>(string pubsubName, string topicName, TData data,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pubsubName);
        ArgumentException.ThrowIfNullOrWhiteSpace(topicName);
        var envelope = CloudEvent.Create(appId, pubsubName, topicName, data, metadata, time.GetUtcNow());
        try
        {
            await dapr.PublishByteEventAsync(pubsubName, topicName, JsonSerializer.SerializeToUtf8Bytes(envelope, RuntimeJson.Options),
                "application/cloudevents+json", cancellationToken: cancellationToken);
        }
        catch (DaprSdkException ex)
        {
            throw new DaprException($"Publishing to {pubsubName}/{topicName} failed: {DaprStateClient.Describe(ex)}", inner: ex);
        }
    }
}

/// <summary>
/// Service invocation by Dapr.Client's <see cref="Sdk.InvocationHandler"/>: <c>http://{app-id}/path</c> becomes the
/// sidecar's <c>/v1.0/invoke/{app-id}/method/path</c>. Every client shares one connection pool to the sidecar.
/// </summary>
internal sealed class DaprServiceInvoker(DaprSidecar sidecar) : IServiceInvoker
{
    // The handler chain ends in the sidecar's shared pool, so the client must not dispose it.
    public HttpClient CreateHttpClient(string appId) =>
        new(new Sdk.InvocationHandler
        {
            DaprEndpoint = sidecar.Options.SidecarAddress.ToString(),
            DefaultAppId = appId,
            InnerHandler = new SidecarChannel(appId, sidecar),
        }, disposeHandler: false)
        { BaseAddress = new Uri($"http://{appId}/") };

    /// <summary>
    /// Below the SDK's handler: sets the API token exactly once (the SDK's handler sets it only from the process
    /// environment, and its setter is not public), and turns the sidecar's own "cannot reach the app" answer into
    /// <see cref="ServiceInvocationException"/>, which callers tell apart from the app's 500.
    /// </summary>
    private sealed class SidecarChannel(string appId, DaprSidecar sidecar) : DelegatingHandler(sidecar.Handler)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(DaprSidecar.ApiTokenHeader);
            if (sidecar.Options.ApiToken is { } token)
            {
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
