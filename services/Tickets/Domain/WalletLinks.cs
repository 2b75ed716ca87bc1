using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.BuildingBlocks.Security;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// The proofs a wallet link carries instead of a sign-in (docs/adr/0014-entry-code-v2-and-wallet-passes.md): a download
/// link for an Apple Wallet pass names one ticket at one secret version until an expiry, under an HMAC with a key the
/// module makes once (every replica shares it through the database); an Apple pass's authentication token is an HMAC of
/// its serial number under the same key, so nothing per pass is stored.
/// </summary>
public sealed class WalletLinks([FromKeyedServices(TicketsModule.Id)] NpgsqlDataSource dataSource,
    [FromKeyedServices(TicketsModule.Id)] SecretProtector protector, TimeProvider time) : IDisposable
{
    private const string KeyName = "wallet-links";
    private const int MacSize = 16;
    private const int PayloadSize = 16 + 4 + 8; // ticket id, secret version, expiry (unix seconds)
    private static readonly byte[] LinkLabel = Encoding.ASCII.GetBytes("tickettoken/wallet-link/v1\0");
    private static readonly byte[] PassTokenLabel = Encoding.ASCII.GetBytes("tickettoken/apple-pass-token/v1\0");
    private readonly SemaphoreSlim _loading = new(1, 1);
    private byte[]? _key;

    /// <summary>A token that lets whoever holds it download the ticket's pass at this secret version until <paramref name="expiresAt"/>.</summary>
    public async Task<string> MakeAsync(Guid ticketId, int secretVersion, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var token = new byte[PayloadSize + MacSize];
        ticketId.TryWriteBytes(token, bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(token.AsSpan(16), secretVersion);
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(20), expiresAt.ToUnixTimeSeconds());
        Mac(await KeyAsync(cancellationToken), LinkLabel, token.AsSpan(0, PayloadSize)).CopyTo(token.AsSpan(PayloadSize));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>What a token names, when it is genuine and unexpired; null for anything else (forged, altered, expired, malformed).</summary>
    public async Task<(Guid TicketId, int SecretVersion)?> ReadAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!Base64Url.IsValid(token, out var length) || length != PayloadSize + MacSize)
        {
            return null;
        }

        var bytes = Base64Url.DecodeFromChars(token);
        if (!CryptographicOperations.FixedTimeEquals(Mac(await KeyAsync(cancellationToken), LinkLabel, bytes.AsSpan(0, PayloadSize)), bytes.AsSpan(PayloadSize)))
        {
            return null;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(20)));
        return expiresAt > time.GetUtcNow() ? (new Guid(bytes.AsSpan(0, 16), bigEndian: true), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16))) : null;
    }

    /// <summary>The <c>authenticationToken</c> of an Apple pass: Wallet sends it back as <c>Authorization: ApplePass ...</c>.</summary>
    public async Task<string> PassTokenAsync(string serialNumber, CancellationToken cancellationToken = default) =>
        Base64Url.EncodeToString(Mac(await KeyAsync(cancellationToken), PassTokenLabel, Encoding.UTF8.GetBytes(serialNumber), HMACSHA256.HashSizeInBytes));

    /// <summary>Whether <paramref name="presented"/> is the pass's token, in constant time.</summary>
    public async Task<bool> IsPassTokenAsync(string serialNumber, string? presented, CancellationToken cancellationToken = default) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(await PassTokenAsync(serialNumber, cancellationToken)), Encoding.UTF8.GetBytes(presented));

    public void Dispose() => _loading.Dispose();

    private static byte[] Mac(byte[] key, byte[] label, ReadOnlySpan<byte> message, int size = MacSize)
    {
        var input = new byte[label.Length + message.Length];
        label.CopyTo(input, 0);
        message.CopyTo(input.AsSpan(label.Length));
        return HMACSHA256.HashData(key, input)[..size];
    }

    /// <summary>The module's link key: made by the first replica that needs it, read by every other.</summary>
    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (_key is { } known)
        {
            return known;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_key is { } loaded)
            {
                return loaded;
            }

            await using (var insert = dataSource.CreateCommand(
                "insert into tickets.wallet_keys (name, key_ciphertext, created_at) values ($1, $2, $3) on conflict (name) do nothing"))
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = KeyName });
                insert.Parameters.Add(new NpgsqlParameter { Value = protector.Protect(RandomNumberGenerator.GetBytes(32)) });
                insert.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var select = dataSource.CreateCommand("select key_ciphertext from tickets.wallet_keys where name = $1");
            select.Parameters.Add(new NpgsqlParameter { Value = KeyName });
            return _key = protector.Unprotect((byte[])(await select.ExecuteScalarAsync(cancellationToken))!);
        }
        finally
        {
            _loading.Release();
        }
    }
}
