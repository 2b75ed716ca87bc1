using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using Polly.Registry;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// Fetches the identity module's public keys the way any other app would: by service invocation of
/// <c>identity</c> (loopback in the embedded runtime, through the sidecar with Dapr), or from a configured URL.
/// No module shares a secret with identity.
/// </summary>
internal sealed class JwksDocumentRetriever(IServiceProvider services, AuthOptions options) : IDocumentRetriever
{
    public const string Path = ".well-known/jwks.json";

    private static readonly HttpClient Direct = new();

    /// <summary>Each attempt through the <see cref="Resilience.JwksFetch"/> pipeline (retries and the per-attempt timeout).</summary>
    public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
        services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(Resilience.JwksFetch)
            .ExecuteAsync(async token => await FetchAsync(token), cancel).AsTask();

    private async Task<string> FetchAsync(CancellationToken cancel)
    {
        if (!string.IsNullOrWhiteSpace(options.JwksUrl))
        {
            return await Direct.GetStringAsync(new Uri(options.JwksUrl), cancel);
        }

        // Any module's invoker will do: the key set is public, and the caller's app-id only labels the call.
        var caller = services.GetRequiredService<HostedApps>().AppIds[0];
        using var client = services.GetRequiredKeyedService<IServiceInvoker>(caller).CreateHttpClient(options.IdentityAppId);
        using var response = await client.GetAsync(new Uri(Path, UriKind.Relative), cancel);
        if (!response.IsSuccessStatusCode)
        {
            throw new IOException($"The key set of '{options.IdentityAppId}' answered {(int)response.StatusCode}.");
        }

        return await response.Content.ReadAsStringAsync(cancel);
    }
}

/// <summary>
/// The identity module's public keys, cached. A token whose key id is unknown makes the cache fetch the key set
/// before that same token is validated (at most once per <see cref="AuthOptions.JwksMinimumRefreshInterval"/>, so
/// garbage key ids cannot turn into a flood of fetches): a rotation never costs a request its answer.
/// </summary>
public sealed class JwksKeyCache(IDocumentRetriever retriever, AuthOptions options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private volatile IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <summary>The keys as last fetched (what signature validation uses).</summary>
    public IReadOnlyList<SecurityKey> Keys => _keys;

    /// <summary>Makes sure the cache is fresh and, if possible, knows <paramref name="kid"/>.</summary>
    public async Task EnsureAsync(string? kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var known = kid is not null && _keys.Any(k => k.KeyId == kid);
        var stale = now - _fetchedAt > options.JwksRefreshInterval;
        if ((known && !stale) || (!stale && now - _fetchedAt < options.JwksMinimumRefreshInterval))
        {
            return;
        }

        await _fetch.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched while this one waited.
            now = time.GetUtcNow();
            if ((kid is not null && _keys.Any(k => k.KeyId == kid) && now - _fetchedAt <= options.JwksRefreshInterval)
                || now - _fetchedAt < options.JwksMinimumRefreshInterval)
            {
                return;
            }

            var document = await retriever.GetDocumentAsync(JwksDocumentRetriever.Path, cancellationToken);
            _keys = [.. new JsonWebKeySet(document).GetSigningKeys()];
            _fetchedAt = now;
        }
        finally
        {
            _fetch.Release();
        }
    }

    public void Dispose() => _fetch.Dispose();
}
