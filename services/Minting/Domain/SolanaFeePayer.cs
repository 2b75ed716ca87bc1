using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Domain;

/// <summary>
/// The account that pays every fee and rent (and is the mints' authority): configured from a secret, or made by the module. Its
/// balance is read after each landed transaction and exposed as a metric; below the alert threshold a warning is logged (and, on
/// devnet or a local chain when enabled, an airdrop is asked for).
/// </summary>
public sealed class SolanaFeePayer(MintingKeys keys, SolanaRpc rpc, IOptions<MintingOptions> options, MintingMetrics metrics, ILogger<SolanaFeePayer> logger)
{
    private Keypair? _keypair;

    public async Task<Keypair> KeypairAsync(CancellationToken cancellationToken)
    {
        if (_keypair is { } known)
        {
            return known;
        }

        var configured = options.Value.Solana.FeePayerSecretKey;
        return _keypair = string.IsNullOrWhiteSpace(configured)
            ? await keys.KeypairAsync(MintingKeys.FeePayerName, cancellationToken)
            : Keypair.FromSecretKey(SimpleBase.Base58.Bitcoin.Decode(configured.Trim()));
    }

    /// <summary>Before a send: when the balance is unknown or low, read it (and top it up where allowed).</summary>
    public async Task EnsureFundedAsync(CancellationToken cancellationToken)
    {
        if (metrics.FeePayerLamports < 0 || metrics.FeePayerLamports < options.Value.Solana.FeePayerAlertLamports)
        {
            await WatchAsync(cancellationToken);
        }
    }

    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        var payer = await KeypairAsync(cancellationToken);
        var balance = (long)await rpc.GetBalanceAsync(payer.PublicKey, cancellationToken);
        var solana = options.Value.Solana;
        if (balance < solana.FeePayerAlertLamports && solana.AirdropWhenLow)
        {
            await rpc.RequestAirdropAsync(payer.PublicKey, (ulong)solana.AirdropLamports, cancellationToken);
            balance = (long)await rpc.GetBalanceAsync(payer.PublicKey, cancellationToken);
        }

        metrics.FeePayer(balance);
        if (balance < solana.FeePayerAlertLamports)
        {
            logger.LogWarning("ALERT: the minting fee payer {FeePayer} holds {Lamports} lamports, below the alert threshold of {Threshold}: fund it (docs/operations.md)",
                payer.PublicKey, balance, solana.FeePayerAlertLamports);
        }
    }
}
