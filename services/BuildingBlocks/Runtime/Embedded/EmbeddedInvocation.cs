using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>Actor calls go straight to this process's actor runtime, still serialized as they would be over the wire.</summary>
internal sealed class EmbeddedActorInvoker(IServiceProvider services) : IActorInvoker
{
    private ActorRuntime? _runtime;

    public Task<byte[]> InvokeMethodAsync(string actorType, string actorId, string method, byte[] payload, CancellationToken cancellationToken)
    {
        _runtime ??= (ActorRuntime)services.GetService(typeof(ActorRuntime))!;
        return _runtime.InvokeMethodAsync(actorType, actorId, method, payload, cancellationToken);
    }
}

/// <summary>Service invocation by app-id as loopback HTTP to this host, which runs every module it can reach.</summary>
internal sealed class LoopbackServiceInvoker(string callerAppId, LoopbackChannel channel) : IServiceInvoker
{
    public HttpClient CreateHttpClient(string appId) =>
        new(new LoopbackHandler(callerAppId, appId, channel), disposeHandler: false) { BaseAddress = new Uri($"http://{appId}/") };

    private sealed class LoopbackHandler(string caller, string callee, LoopbackChannel channel) : DelegatingHandler(channel.Handler)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // A delivery or reminder can run before Kestrel listens (they start once migrations are done): a call made
            // then would be refused and spend one of its delivery's attempts, which a slow start can use up entirely.
            await channel.Started.WaitAsync(cancellationToken);
            var target = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
            request.RequestUri = new Uri(channel.BaseAddress(callee), target.PathAndQuery);
            request.Headers.Remove(InvocationHeaders.CallerAppId);
            request.Headers.Add(InvocationHeaders.CallerAppId, caller);
            request.Headers.Remove(InvocationHeaders.CalleeAppId);
            request.Headers.Add(InvocationHeaders.CalleeAppId, callee);
            request.Headers.Remove(LoopbackChannel.TokenHeader);
            request.Headers.Add(LoopbackChannel.TokenHeader, channel.Token);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
