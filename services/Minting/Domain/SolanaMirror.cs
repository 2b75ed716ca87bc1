using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.Minting.Data;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Domain;

/// <summary>A mirror that cannot be put right by mirroring again (a burned token for a valid ticket, a token outside our custody).</summary>
public sealed class MirrorUnrepairableException(string message) : Exception(message);

/// <summary>What the chain says of a ticket's mint: not made yet, burned, or held in one token account (frozen or not).</summary>
public sealed record ChainHolding(bool Minted, bool Burned, PublicKey? HolderWallet, PublicKey? HolderAccount, bool Frozen);

/// <summary>
/// The Solana backend. Per ticket one mint (supply 1, 0 decimals) whose address is derived from the ticket id with the module's
/// mint seed, so a second "mint" of the same ticket is refused by the chain itself (the account exists). Every pass reads the chain
/// first and sends only what is missing: a mint, a transfer between custodial wallets, or a burn (a freeze when the token is
/// outside our custody). Each transaction is recorded before it is sent; after a crash its signature is looked up.
/// </summary>
public sealed class SolanaMirror(MintingDbContext db, SolanaRpc rpc, SolanaFeePayer feePayer, MintingKeys keys, CustodialWallets wallets,
    IOptions<MintingOptions> options, TimeProvider time, MintingMetrics metrics, ILogger<SolanaMirror> logger) : IOwnershipMirror
{
    public string Backend => MirrorBackends.Solana;

    /// <summary>The ticket's mint keypair: HMAC-SHA256 of the ticket id under the mint seed. Deterministic, so retries find the same mint.</summary>
    public async Task<Keypair> MintOfAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        var seed = await keys.SecretAsync(MintingKeys.MintSeedName, cancellationToken);
        return new Keypair(HMACSHA256.HashData(seed, (byte[])[.. "ticket-mint:"u8, .. ticketId.ToByteArray(bigEndian: true)]));
    }

    public async Task<MirrorResult> ApplyAsync(MirroredTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (await SettleAsync(ticket.TicketId, cancellationToken))
        {
            return MirrorResult.InFlight;
        }

        var mint = await MintOfAsync(ticket.TicketId, cancellationToken);
        var holding = await ReadChainAsync(mint.PublicKey, cancellationToken);
        var payer = await feePayer.KeypairAsync(cancellationToken);
        switch (Presences.Of(ticket.Status))
        {
            case Presence.Held when !holding.Minted:
            {
                var owner = await wallets.OfAsync(ticket.OwnerId, cancellationToken);
                var rent = await rpc.GetMinimumBalanceForRentExemptionAsync(Programs.MintSize, cancellationToken);
                return await SendAsync("mint", ticket, ticket.OwnerId, mint.PublicKey,
                [
                    Programs.CreateAccount(payer.PublicKey, mint.PublicKey, rent, Programs.MintSize, Programs.Token),
                    Programs.InitializeMint2(mint.PublicKey, 0, payer.PublicKey, payer.PublicKey),
                    Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, owner.PublicKey, mint.PublicKey),
                    Programs.MintTo(mint.PublicKey, Programs.AssociatedTokenAddress(owner.PublicKey, mint.PublicKey), payer.PublicKey, 1),
                    Programs.RemoveMintAuthority(mint.PublicKey, payer.PublicKey),
                    Programs.Memo(Metadata(ticket, mint.PublicKey)),
                ], [payer, mint], cancellationToken);
            }

            case Presence.Held when holding.Burned:
                throw new MirrorUnrepairableException($"The token {mint.PublicKey} was burned, but the ticket is {ticket.Status}.");
            case Presence.Held:
            {
                var owner = await wallets.OfAsync(ticket.OwnerId, cancellationToken);
                if (holding.HolderWallet == owner.PublicKey)
                {
                    return MirrorResult.Done;
                }

                var from = await CustodyOfAsync(holding, mint.PublicKey, cancellationToken);
                return await SendAsync("transfer", ticket, ticket.OwnerId, mint.PublicKey,
                [
                    Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, owner.PublicKey, mint.PublicKey),
                    Programs.TransferChecked(holding.HolderAccount!.Value, mint.PublicKey, Programs.AssociatedTokenAddress(owner.PublicKey, mint.PublicKey),
                        from.PublicKey, 1, 0),
                    // The emptied account's rent goes back to the fee payer, who paid it.
                    Programs.CloseAccount(holding.HolderAccount!.Value, payer.PublicKey, from.PublicKey),
                ], [payer, from], cancellationToken);
            }

            case Presence.Gone when holding.Minted && !holding.Burned:
            {
                var custody = holding.HolderWallet is { } wallet ? await wallets.ByAddressAsync(wallet, cancellationToken) : null;
                if (custody is { } held)
                {
                    return await SendAsync("burn", ticket, null, mint.PublicKey,
                    [
                        Programs.Burn(holding.HolderAccount!.Value, mint.PublicKey, held.Keypair.PublicKey, 1),
                        Programs.CloseAccount(holding.HolderAccount!.Value, payer.PublicKey, held.Keypair.PublicKey),
                    ], [payer, held.Keypair], cancellationToken);
                }

                // Outside our custody (the fan exported the key and moved it): the mint's freeze authority still stops it moving.
                return holding.Frozen || holding.HolderAccount is null
                    ? MirrorResult.Done
                    : await SendAsync("burn", ticket, null, mint.PublicKey, [Programs.FreezeAccount(holding.HolderAccount.Value, mint.PublicKey, payer.PublicKey)],
                        [payer], cancellationToken);
            }

            default:
                return MirrorResult.Done;
        }
    }

    public async Task<MirrorReading> ReadAsync(MirroredTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await SettleAsync(ticket.TicketId, cancellationToken);
        var mint = await MintOfAsync(ticket.TicketId, cancellationToken);
        var holding = await ReadChainAsync(mint.PublicKey, cancellationToken);
        switch (Presences.Of(ticket.Status))
        {
            case Presence.Held when !holding.Minted:
                return new MirrorReading(false, true, "not minted");
            case Presence.Held when holding.Burned:
                return new MirrorReading(false, false, $"burned on chain, but the ticket is {ticket.Status}");
            case Presence.Held:
                var owner = await wallets.OfAsync(ticket.OwnerId, cancellationToken);
                if (holding.HolderWallet == owner.PublicKey)
                {
                    return new MirrorReading(true, false, null);
                }

                return holding.HolderWallet is { } wallet && await wallets.ByAddressAsync(wallet, cancellationToken) is { } other
                    ? new MirrorReading(false, true, $"held by the wallet of {other.OwnerId}, not of the owner")
                    : new MirrorReading(false, false, $"held by {holding.HolderWallet?.ToString() ?? "nobody"}, a wallet outside the platform's custody");
            case Presence.Gone when holding.Minted && !holding.Burned && !holding.Frozen:
                return new MirrorReading(false, true, $"still held, but the ticket is {ticket.Status}");
            default:
                return new MirrorReading(true, false, null);
        }
    }

    /// <summary>Where the ticket's token is, from the chain.</summary>
    public async Task<ChainHolding> ReadChainAsync(PublicKey mint, CancellationToken cancellationToken)
    {
        var account = await rpc.GetAccountInfoAsync(mint, cancellationToken);
        if (account is null)
        {
            return new ChainHolding(false, false, null, null, false);
        }

        // Mint layout: mint authority COption (36), then the supply (u64).
        if (account.Data.Length < Programs.MintSize || BinaryPrimitives.ReadUInt64LittleEndian(account.Data.AsSpan(36, 8)) == 0)
        {
            return new ChainHolding(true, true, null, null, false);
        }

        foreach (var (address, amount) in await rpc.GetTokenLargestAccountsAsync(mint, cancellationToken))
        {
            if (amount == 1 && await rpc.GetAccountInfoAsync(address, cancellationToken) is { } tokenAccount
                            && SolanaRpc.ParseTokenAccount(address, tokenAccount.Data) is { } parsed)
            {
                // Token account layout: mint, owner, amount, delegate COption (36), then the state byte (2 = frozen).
                return new ChainHolding(true, false, parsed.Owner, address, tokenAccount.Data.Length > 108 && tokenAccount.Data[108] == 2);
            }
        }

        return new ChainHolding(true, false, null, null, false);
    }

    /// <summary>
    /// Looks up the ticket's transactions that were signed or sent but not seen landing; true while one may still land (its
    /// blockhash is valid), which must be waited for before anything else is sent for the ticket.
    /// </summary>
    public async Task<bool> SettleAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        var open = await db.ChainOperations.Where(o => o.TicketId == ticketId && (o.Status == ChainOperationStatuses.Recorded || o.Status == ChainOperationStatuses.Sent))
            .OrderBy(o => o.CreatedAt).ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return false;
        }

        var statuses = await rpc.GetSignatureStatusesAsync([.. open.Select(o => o.Signature)], cancellationToken);
        var height = await rpc.GetBlockHeightAsync(cancellationToken);
        var inFlight = false;
        for (var i = 0; i < open.Count; i++)
        {
            var op = open[i];
            if (statuses[i] is { } status)
            {
                Record(op, status.Error is null ? ChainOperationStatuses.Landed : ChainOperationStatuses.Failed, status.Error);
            }
            else if (height > (ulong)op.LastValidBlockHeight)
            {
                Record(op, ChainOperationStatuses.Expired, "its blockhash expired before it landed");
            }
            else
            {
                if (op.Status == ChainOperationStatuses.Recorded)
                {
                    // Crashed before the node's answer was recorded: the same bytes again (same signature, so it cannot land twice).
                    await rpc.SendTransactionAsync(SignedTransactionOf(op), cancellationToken);
                    Record(op, ChainOperationStatuses.Sent, null);
                }

                inFlight = true;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return inFlight;
    }

    private async Task<MirrorResult> SendAsync(string kind, MirroredTicket ticket, Guid? toOwner, PublicKey mint, IReadOnlyList<Instruction> instructions,
        IReadOnlyList<Keypair> signers, CancellationToken cancellationToken)
    {
        var payer = signers[0];
        await feePayer.EnsureFundedAsync(cancellationToken);
        var blockhash = await rpc.GetLatestBlockhashAsync(cancellationToken);
        var transaction = SignedTransaction.Sign(TransactionMessage.Compile(payer.PublicKey, blockhash.Blockhash, instructions), signers);
        var now = time.GetUtcNow();
        var op = new ChainOperation
        {
            Id = Guid.CreateVersion7(now), TicketId = ticket.TicketId, Kind = kind, Sequence = ticket.Sequence, Mint = mint.ToString(), ToOwnerId = toOwner,
            Signature = transaction.Signature, Transaction = transaction.Wire, LastValidBlockHeight = (long)blockhash.LastValidBlockHeight,
            Status = ChainOperationStatuses.Recorded, CreatedAt = now, UpdatedAt = now,
        };
        db.ChainOperations.Add(op);
        await db.SaveChangesAsync(cancellationToken);
        try
        {
            await rpc.SendTransactionAsync(transaction, cancellationToken);
        }
        catch (SolanaRpcException e) when (e.Code == -32002)
        {
            // Refused by preflight: it cannot land, so the next pass reads the chain afresh.
            Record(op, ChainOperationStatuses.Failed, e.Message);
            await db.SaveChangesAsync(cancellationToken);
            metrics.Transactions.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", "refused"));
            throw;
        }

        if (options.Value.ExitAfterSend)
        {
            logger.LogCritical("Fault point ExitAfterSend: killing the process after sending {Signature}", op.Signature);
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }

        Record(op, ChainOperationStatuses.Sent, null);
        await db.SaveChangesAsync(cancellationToken);
        metrics.Transactions.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", "sent"));
        logger.LogInformation("Sent the {Kind} of ticket {TicketId} (mint {Mint}): {Signature}", kind, ticket.TicketId, mint, op.Signature);

        var deadline = time.GetUtcNow() + options.Value.Solana.ConfirmWait;
        while (time.GetUtcNow() < deadline)
        {
            if ((await rpc.GetSignatureStatusesAsync([op.Signature], cancellationToken))[0] is { } status)
            {
                Record(op, status.Error is null ? ChainOperationStatuses.Landed : ChainOperationStatuses.Failed, status.Error);
                await db.SaveChangesAsync(cancellationToken);
                await feePayer.WatchAsync(cancellationToken);
                return MirrorResult.Done;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }

        // Accepted but not seen landing yet: the next pass for this ticket, or reconciliation, settles it.
        return MirrorResult.Done;
    }

    private async Task<Keypair> CustodyOfAsync(ChainHolding holding, PublicKey mint, CancellationToken cancellationToken) =>
        holding.HolderWallet is { } wallet && await wallets.ByAddressAsync(wallet, cancellationToken) is { } held
            ? held.Keypair
            : throw new MirrorUnrepairableException($"The token {mint} is held by {holding.HolderWallet?.ToString() ?? "nobody"}, outside the platform's custody.");

    private static SignedTransaction SignedTransactionOf(ChainOperation op) => SignedTransaction.FromWire(op.Transaction);

    private void Record(ChainOperation op, string status, string? error)
    {
        op.Status = status;
        op.Error = error;
        op.UpdatedAt = time.GetUtcNow();
    }

    /// <summary>
    /// The token's metadata, in a memo of its mint transaction: LiteSVM (our test chain) has no Token Metadata program, so the
    /// metadata account is not made (ADR 0019); the memo and the platform's metadata route carry the same facts.
    /// </summary>
    private string Metadata(MirroredTicket ticket, PublicKey mint) => JsonSerializer.Serialize(new
    {
        name = "TicketToken ticket",
        ticket = ticket.TicketId,
        @event = ticket.EventId,
        seat = ticket.Label,
        uri = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/api/minting/tokens/{mint}/metadata",
    });
}
