using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Invocation;

/// <summary>
/// The shared connection pool of loopback invocations, and a per-process token that marks them as
/// internal (they are exempt from the per-client rate limit, which would otherwise see one client).
/// </summary>
public sealed class LoopbackChannel : IDisposable
{
    public const string TokenHeader = "tickettoken-invocation";

    private readonly IServer _server;
    private readonly HostedApps _modules;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri? _baseAddress;

    public LoopbackChannel(IServer server, HostedApps modules, IHostApplicationLifetime lifetime)
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
