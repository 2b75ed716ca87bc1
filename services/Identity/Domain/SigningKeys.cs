using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Identity.Data;

namespace TicketToken.Identity.Domain;

/// <summary>
/// The ES256 keys access tokens are signed with. The newest active key signs; every key stays in the JWKS
/// until the last token it signed has expired, so a rotation never logs anyone out. A scheduled key is
/// published ahead of use, so JWKS caches know it before the first token it signs arrives.
/// </summary>
public sealed class SigningKeys(IServiceScopeFactory scopes, [FromKeyedServices(IdentityModule.Id)] SecretProtector protector, TimeProvider time, IOptions<IdentityOptions> options, AuthOptions auth) : IDisposable
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _load = new(1, 1);
    private readonly Dictionary<string, ECDsaSecurityKey> _privateKeys = [];
    private (DateTimeOffset LoadedAt, IReadOnlyList<SigningKey> Keys)? _cache;

    /// <summary>Tokens signed by a retired key are valid this long after it stopped signing.</summary>
    private TimeSpan LongestTokenLife =>
        (options.Value.AccessTokenLifetime > options.Value.DeviceTokenLifetime ? options.Value.AccessTokenLifetime : options.Value.DeviceTokenLifetime) + auth.ClockSkew;

    public async Task<SigningCredentials> CurrentAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = await KeysAsync(cancellationToken);
        var current = keys.Where(k => k.ActivatesAt <= now).MaxBy(k => k.ActivatesAt);
        if (current is null)
        {
            await EnsureRotatedAsync(cancellationToken);
            keys = await KeysAsync(cancellationToken);
            current = keys.Where(k => k.ActivatesAt <= now).MaxBy(k => k.ActivatesAt)
                ?? throw new InvalidOperationException("No signing key is active.");
        }

        lock (_privateKeys)
        {
            if (!_privateKeys.TryGetValue(current.Kid, out var key))
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(protector.Unprotect(current.PrivateKey), out _);
                key = new ECDsaSecurityKey(ecdsa) { KeyId = current.Kid };
                _privateKeys[current.Kid] = key;
            }

            return new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256);
        }
    }

    /// <summary>The public keys, as <c>/.well-known/jwks.json</c> serves them.</summary>
    public async Task<JsonObject> JwksAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = await KeysAsync(cancellationToken);
        var published = new JsonArray();
        foreach (var key in keys.Where(k => k.ExpiresAt is null || k.ExpiresAt > now).OrderByDescending(k => k.ActivatesAt))
        {
            published.Add(JsonNode.Parse(key.PublicJwk));
        }

        return new JsonObject { ["keys"] = published };
    }

    /// <summary>Makes the first key, schedules the next one when the current is due, and forgets keys nobody can use any more.</summary>
    public async Task EnsureRotatedAsync(CancellationToken cancellationToken)
    {
        await ChangeAsync(async (db, keys, now) =>
        {
            var newest = keys.MaxBy(k => k.ActivatesAt);
            if (newest is null)
            {
                db.SigningKeys.Add(NewKey(now, now));
            }
            else if (newest.ActivatesAt + options.Value.SigningKeyRotation - options.Value.SigningKeyPublishAhead <= now)
            {
                var activatesAt = Max(now + options.Value.SigningKeyPublishAhead, newest.ActivatesAt);
                newest.ExpiresAt = activatesAt + LongestTokenLife;
                db.SigningKeys.Add(NewKey(now, activatesAt));
            }

            db.SigningKeys.RemoveRange(keys.Where(k => k.ExpiresAt < now));
            await Task.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>Signs with a new key from now on (a suspected leak, or an operator's choice); older tokens stay valid until they expire.</summary>
    public async Task<string> RotateNowAsync(CancellationToken cancellationToken)
    {
        var kid = "";
        await ChangeAsync(async (db, keys, now) =>
        {
            foreach (var key in keys)
            {
                if (key.ActivatesAt > now)
                {
                    db.SigningKeys.Remove(key); // scheduled, never signed anything
                }
                else if (key.ExpiresAt is null || key.ExpiresAt > now + LongestTokenLife)
                {
                    key.ExpiresAt = now + LongestTokenLife;
                }
            }

            var fresh = NewKey(now, now);
            db.SigningKeys.Add(fresh);
            kid = fresh.Kid;
            await Task.CompletedTask;
        }, cancellationToken);
        return kid;
    }

    /// <summary>Issues an access token with the current key.</summary>
    public Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(IEnumerable<Claim> claims, TimeSpan lifetime, CancellationToken cancellationToken) =>
        IssueAsync(claims, lifetime, auth.Audience, "at+jwt", cancellationToken);

    /// <summary>Issues a token of another type and audience (a re-authentication proof) with the current key.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(IEnumerable<Claim> claims, TimeSpan lifetime, string audience, string tokenType,
        CancellationToken cancellationToken)
    {
        var credentials = await CurrentAsync(cancellationToken);
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = tokenType,
            SigningCredentials = credentials,
            Subject = new ClaimsIdentity(claims.Append(new Claim(TokenClaims.TokenId, Guid.NewGuid().ToString("N")))),
        });
        return (token, expires);
    }

    private async Task ChangeAsync(Func<IdentityDbContext, List<SigningKey>, DateTimeOffset, Task> change, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // One rotation at a time across replicas.
            await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtext('identity.signing_keys'))", cancellationToken);
            var keys = await db.SigningKeys.ToListAsync(cancellationToken);
            await change(db, keys, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        _cache = null;
    }

    private async Task<IReadOnlyList<SigningKey>> KeysAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } cached && time.GetUtcNow() - cached.LoadedAt < CacheFor)
        {
            return cached.Keys;
        }

        await _load.WaitAsync(cancellationToken);
        try
        {
            if (_cache is { } again && time.GetUtcNow() - again.LoadedAt < CacheFor)
            {
                return again.Keys;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var keys = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
            _cache = (time.GetUtcNow(), keys);
            return keys;
        }
        finally
        {
            _load.Release();
        }
    }

    private SigningKey NewKey(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        var kid = OpaqueToken.New(12);
        var jwk = new JsonObject
        {
            ["kty"] = "EC",
            ["use"] = "sig",
            ["alg"] = "ES256",
            ["kid"] = kid,
            ["crv"] = "P-256",
            ["x"] = OpaqueToken.Base64Url(parameters.Q.X),
            ["y"] = OpaqueToken.Base64Url(parameters.Q.Y),
        };
        return new SigningKey
        {
            Kid = kid,
            PrivateKey = protector.Protect(ecdsa.ExportPkcs8PrivateKey()),
            PublicJwk = jwk.ToJsonString(JsonSerializerOptions.Default),
            CreatedAt = now,
            ActivatesAt = activatesAt,
        };
    }

    public void Dispose() => _load.Dispose();

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
