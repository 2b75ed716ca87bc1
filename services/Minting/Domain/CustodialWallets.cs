using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Minting.Data;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Domain;

/// <summary>
/// One Solana keypair per fan, made on their first token and kept encrypted with the module's secret key: the platform signs
/// their transfers and burns (the database decides who owns a ticket); the fan can take the key out (<c>ExportMyWallet</c>).
/// </summary>
public sealed class CustodialWallets(MintingDbContext db, [FromKeyedServices(MintingModule.Id)] SecretProtector protector, TimeProvider time)
{
    public async Task<Keypair> OfAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        var wallet = await db.Wallets.AsNoTracking().SingleOrDefaultAsync(w => w.OwnerId == ownerId, cancellationToken);
        if (wallet is null)
        {
            var made = Keypair.Generate();
            // Two workers may make a fan's first wallet at once: the first insert wins and both use it.
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"insert into minting.wallets (owner_id, address, seed_ciphertext, created_at) values ({ownerId}, {made.PublicKey.ToString()}, {protector.Protect(made.Seed())}, {time.GetUtcNow()}) on conflict (owner_id) do nothing",
                cancellationToken);
            wallet = await db.Wallets.AsNoTracking().SingleAsync(w => w.OwnerId == ownerId, cancellationToken);
        }

        return new Keypair(protector.Unprotect(wallet.SeedCiphertext));
    }

    /// <summary>The fan whose custodial wallet <paramref name="address"/> is, or null for a wallet that is not ours.</summary>
    public async Task<(Guid OwnerId, Keypair Keypair)?> ByAddressAsync(PublicKey address, CancellationToken cancellationToken)
    {
        var text = address.ToString();
        var wallet = await db.Wallets.AsNoTracking().SingleOrDefaultAsync(w => w.Address == text, cancellationToken);
        return wallet is null ? null : (wallet.OwnerId, new Keypair(protector.Unprotect(wallet.SeedCiphertext)));
    }
}
