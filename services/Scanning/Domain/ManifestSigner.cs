using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.Scanning.Domain;

/// <summary>
/// Signs manifests with ES256 under scanning's own key (made at first use, kept encrypted), as a JWS with a detached,
/// unencoded payload (RFC 7515 appendix F, RFC 7797): the manifest bytes travel as they are and the signature beside them.
/// Devices verify it with the key set at <c>GET /api/scanning/keys</c>.
/// </summary>
public sealed class ManifestSigner([FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource,
    [FromKeyedServices(ScanningModule.Id)] SecretProtector protector, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private (string Kid, ECDsa Key)? _current;

    /// <summary><c>{base64url(header)}..{base64url(signature)}</c> over <paramref name="payload"/>.</summary>
    public async Task<string> SignAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var (kid, key) = await CurrentAsync(cancellationToken);
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["alg"] = "ES256", ["kid"] = kid, ["b64"] = false, ["crit"] = new JsonArray("b64"), ["typ"] = "tickettoken-manifest+json",
        }));
        var headerBytes = Encoding.ASCII.GetBytes(header + ".");
        var input = new byte[headerBytes.Length + payload.Length];
        headerBytes.CopyTo(input, 0);
        payload.Span.CopyTo(input.AsSpan(headerBytes.Length));
        return $"{header}..{Base64Url.EncodeToString(key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))}";
    }

    public async Task<JsonObject> KeySetAsync(CancellationToken cancellationToken = default)
    {
        await CurrentAsync(cancellationToken);
        var keys = new JsonArray();
        await using var command = dataSource.CreateCommand("select public_jwk from scanning.signing_keys order by created_at");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(JsonNode.Parse(reader.GetString(0)));
        }

        return new JsonObject { ["keys"] = keys };
    }

    private async Task<(string Kid, ECDsa Key)> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current)
        {
            return current;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } loaded)
            {
                return loaded;
            }

            if (await NewestAsync(cancellationToken) is not { } stored)
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var parameters = key.ExportParameters(false);
                var kid = $"scan-{time.GetUtcNow():yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
                var jwk = new JsonObject
                {
                    ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(parameters.Q.X), ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
                    ["kid"] = kid, ["use"] = "sig", ["alg"] = "ES256",
                };
                await using var insert = dataSource.CreateCommand("insert into scanning.signing_keys (kid, private_key, public_jwk, created_at) values ($1, $2, $3, $4)");
                insert.Parameters.Add(new NpgsqlParameter { Value = kid });
                insert.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(key.ExportPkcs8PrivateKey()) });
                insert.Parameters.Add(new NpgsqlParameter { Value = jwk.ToJsonString() });
                insert.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
                await insert.ExecuteNonQueryAsync(cancellationToken);
                // Another replica may have made one at the same moment; both are in the key set.
                stored = await NewestAsync(cancellationToken) ?? throw new InvalidOperationException("The signing key just stored cannot be read back.");
            }

            _current = stored;
            return stored;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose()
    {
        _loading.Dispose();
        _current?.Key.Dispose();
    }

    private async Task<(string Kid, ECDsa Key)?> NewestAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select kid, private_key from scanning.signing_keys order by created_at desc, kid limit 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(protector.Unprotect(reader.GetFieldValue<byte[]>(1)), out _);
        return (reader.GetString(0), key);
    }
}
