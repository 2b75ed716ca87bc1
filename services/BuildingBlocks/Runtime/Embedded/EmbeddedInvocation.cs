using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Invocation;

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

/// <summary>
/// The shared connection pool of loopback invocations, and a per-process token that marks them as
/// internal (they are exempt from the per-client rate limit, which would otherwise see one client).
/// </summary>
public sealed class LoopbackChannel : IDisposable
{
    public const string TokenHeader = "tickettoken-invocation";

    private readonly IServer _server;
    private readonly ModuleSelection _modules;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri? _baseAddress;

    public LoopbackChannel(IServer server, ModuleSelection modules, IHostApplicationLifetime lifetime)
    {
        _server = server;
        _modules = modules;
        lifetime.ApplicationStarted.Register(() => _started.TrySetResult());
    }

    /// <summary>Completes once the host has started, and so listens: loopback calls wait for it.</summary>
    public Task Started => _started.Task;

    public HttpMessageHandler Handler { get; } = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };

    public string Token { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public Uri BaseAddress(string appId)
    {
        if (!_modules.Runs(appId))
        {
            throw new ServiceInvocationException($"App '{appId}' does not run in this host (TICKETTOKEN__SERVICES); the embedded runtime can only invoke its own modules.");
        }

        return _baseAddress ??= Discover();
    }

    public void Dispose() => Handler.Dispose();

    private Uri Discover()
    {
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? throw new ServiceInvocationException("The host is not listening on plain HTTP yet; service invocation starts once the host has started.");
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal));
        return new UriBuilder(uri) { Path = "/" }.Uri;
    }
}
