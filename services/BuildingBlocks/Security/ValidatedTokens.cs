using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;

namespace TicketToken.BuildingBlocks.Security;

/// <summary>
/// Access tokens this host has already validated, remembered until they expire. Checking an ES256 signature costs
/// more CPU than the rest of a hold request together (an on-sale profile showed 12 % of both cores in OpenSSL), and a
/// fan sends the same token with every click for its ten minutes. A remembered token is taken as it was validated:
/// the same string, before its <c>exp</c> (without the clock skew validation allows). What a cache cannot see is a
/// signing key withdrawn from the key set mid-life; tokens it signed stay accepted until they expire, at most one
/// token lifetime, which is also what revoking a session means for its access token.
/// </summary>
public sealed class ValidatedTokens(TimeProvider time) : IDisposable
{
    /// <summary>Enough for every fan of a large on-sale; beyond it, new tokens are validated every time until room frees up.</summary>
    public const int Capacity = 200_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    private sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset ValidTo);

    public ClaimsPrincipal? Find(string token) =>
        _cache.TryGetValue(token, out Entry? entry) && time.GetUtcNow() < entry!.ValidTo ? entry.Principal.Clone() : null;

    public void Remember(string token, ClaimsPrincipal principal, DateTimeOffset validTo)
    {
        if (time.GetUtcNow() < validTo)
        {
            _cache.Set(token, new Entry(principal.Clone(), validTo), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = validTo });
        }
    }

    public void Dispose() => _cache.Dispose();
}
