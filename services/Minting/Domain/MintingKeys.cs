using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Domain;

/// <summary>
/// The module's own keys, made once and kept in <c>minting.keys</c> encrypted with its secret key: every replica reads the same
/// one (the first insert wins). The registry signs with <see cref="RegistryKeyName"/>; the Solana backend derives its mints from
/// <see cref="MintSeedName"/> and, unless one is configured, pays fees with <see cref="FeePayerName"/>.
/// </summary>
public sealed class MintingKeys([FromKeyedServices(MintingModule.Id)] NpgsqlDataSource dataSource,
    [FromKeyedServices(MintingModule.Id)] SecretProtector protector, TimeProvider time)
{
    public const string RegistryKeyName = "registry-signing";
    public const string MintSeedName = "mint-seed";
    public const string FeePayerName = "fee-payer";

    private readonly ConcurrentDictionary<string, byte[]> _loaded = new();

    public async Task<Keypair> KeypairAsync(string name, CancellationToken cancellationToken) => new(await SecretAsync(name, cancellationToken));

    /// <summary>The 32 random bytes named <paramref name="name"/>, made on first use.</summary>
    public async Task<byte[]> SecretAsync(string name, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(name, out var known))
        {
            return known;
        }

        await using (var insert = dataSource.CreateCommand(
            "insert into minting.keys (name, key_ciphertext, created_at) values ($1, $2, $3) on conflict (name) do nothing"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = name });
            insert.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(RandomNumberGenerator.GetBytes(32)) });
            insert.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var select = dataSource.CreateCommand("select key_ciphertext from minting.keys where name = $1");
        select.Parameters.Add(new NpgsqlParameter { Value = name });
        var secret = protector.Unprotect((byte[])(await select.ExecuteScalarAsync(cancellationToken))!);
        return _loaded.GetOrAdd(name, secret);
    }
}
