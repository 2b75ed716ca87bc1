using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TicketToken.Minting.Data;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Domain;

/// <summary>
/// The off-chain registry: per ticket an append-only log whose entries are chained by SHA-256 and signed with the registry's
/// Ed25519 key. Anyone with the public key (GET /api/minting/registry-key) can check a ticket's whole history with
/// <see cref="Verify"/>: a changed, removed or reordered entry breaks the chain or a signature.
/// </summary>
public sealed class OwnershipRegistry(MintingDbContext db, MintingKeys keys, TimeProvider time)
{
    public const string Domain = "tickettoken-registry-v1";

    /// <summary>The 32 zero bytes an entry's predecessor hash is when it is the first.</summary>
    public static readonly byte[] Genesis = new byte[32];

    public async Task<PublicKey> PublicKeyAsync(CancellationToken cancellationToken) =>
        (await keys.KeypairAsync(MintingKeys.RegistryKeyName, cancellationToken)).PublicKey;

    public Task<RegistryEntry?> LatestAsync(Guid ticketId, CancellationToken cancellationToken) =>
        db.RegistryEntries.AsNoTracking().Where(e => e.TicketId == ticketId).OrderByDescending(e => e.Position).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Appends what <paramref name="ticket"/> is now, unless the newest entry already says so; saved by the caller.</summary>
    public async Task<RegistryEntry?> AppendAsync(MirroredTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var latest = await LatestAsync(ticket.TicketId, cancellationToken);
        if (latest is not null && (latest.Sequence >= ticket.Sequence || (latest.OwnerId == ticket.OwnerId && latest.Status == ticket.Status)))
        {
            return null;
        }

        var entry = new RegistryEntry
        {
            TicketId = ticket.TicketId,
            Position = (latest?.Position ?? 0) + 1,
            Kind = latest is null ? "issue" : latest.OwnerId != ticket.OwnerId ? "transfer" : "status",
            OwnerId = ticket.OwnerId,
            Status = ticket.Status,
            Sequence = ticket.Sequence,
            // Microseconds, as PostgreSQL keeps them: the hash must be recomputable from what is stored.
            RecordedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
            PreviousHash = latest?.Hash ?? Genesis,
        };
        entry.Hash = Hash(entry);
        entry.Signature = (await keys.KeypairAsync(MintingKeys.RegistryKeyName, cancellationToken)).Sign(entry.Hash);
        db.RegistryEntries.Add(entry);
        return entry;
    }

    /// <summary>
    /// The bytes an entry's hash covers: the predecessor's hash, then one line of its fields separated by <c>|</c>
    /// (docs/ARCHITECTURE.md §15 spells it out for independent verifiers).
    /// </summary>
    public static byte[] Hash(RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = string.Join('|', Domain, entry.TicketId.ToString("D"), entry.Position.ToString(CultureInfo.InvariantCulture), entry.Kind,
            entry.OwnerId.ToString("D"), entry.Status, entry.Sequence.ToString(CultureInfo.InvariantCulture),
            entry.RecordedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return SHA256.HashData([.. entry.PreviousHash, .. Encoding.UTF8.GetBytes(line)]);
    }

    /// <summary>Checks a ticket's log from its first entry: positions 1..n, each predecessor hash, each hash and each signature.</summary>
    public static string? Verify(IReadOnlyList<RegistryEntry> entries, PublicKey registryKey)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var previous = Genesis;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Position != i + 1)
            {
                return $"entry {i + 1} is missing";
            }

            if (!entry.PreviousHash.AsSpan().SequenceEqual(previous))
            {
                return $"entry {entry.Position} does not follow entry {entry.Position - 1}";
            }

            if (!Hash(entry).AsSpan().SequenceEqual(entry.Hash))
            {
                return $"entry {entry.Position} was changed after it was recorded";
            }

            if (!Keypair.Verify(registryKey, entry.Hash, entry.Signature))
            {
                return $"entry {entry.Position} is not signed by the registry key";
            }

            previous = entry.Hash;
        }

        return null;
    }
}
