namespace TicketToken.Minting;

/// <summary>Settings of the minting module (<c>TicketToken:Minting</c>); docs/operations.md explains each.</summary>
public sealed class MintingOptions
{
    public const string Section = "TicketToken:Minting";
    public const string SecretKeySetting = "TicketToken:Minting:SecretKey";

    /// <summary><c>registry</c> (the default: the signed off-chain log) or <c>solana</c> (a mint per ticket over JSON-RPC).</summary>
    public string Backend { get; set; } = MirrorBackends.Registry;

    /// <summary>Where the platform serves the tokens' metadata (its public address).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:8080";

    /// <summary>How often the mirror looks for tickets it has not caught up with, besides being woken by each event.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one worker owns a ticket it is mirroring before another may take it over.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often reconciliation compares every ticket with the mirror.</summary>
    public TimeSpan ReconciliationInterval { get; set; } = TimeSpan.FromHours(1);

    public SolanaOptions Solana { get; set; } = new();

    /// <summary>Wallet-export attempts (refused ones included) one fan may make per <see cref="WalletExportWindow"/> before a lockout.</summary>
    public int MaxWalletExportAttempts { get; set; } = 5;

    /// <summary>Wallet-export attempts from one client address per <see cref="WalletExportWindow"/>.</summary>
    public int MaxWalletExportAttemptsPerAddress { get; set; } = 30;

    public TimeSpan WalletExportWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Fault point for the crash test: the process kills itself right after the node accepted a transaction and before the
    /// answer is recorded. Never set outside tests.
    /// </summary>
    public bool ExitAfterSend { get; set; }
}

public sealed class SolanaOptions
{
    /// <summary>The JSON-RPC endpoint (devnet: https://api.devnet.solana.com).</summary>
    public string RpcUrl { get; set; } = "http://127.0.0.1:8899";

    /// <summary>
    /// The fee payer (also the mint authority) as Solana's 64-byte secret key in Base58, from a secret. Empty: minting makes one and
    /// keeps it encrypted in its schema (fund it, see docs/operations.md).
    /// </summary>
    public string? FeePayerSecretKey { get; set; }

    /// <summary>Below this balance (lamports) the fee payer is reported (metric and a warning in the log).</summary>
    public long FeePayerAlertLamports { get; set; } = 100_000_000;

    /// <summary>Ask the node for an airdrop when the fee payer is below the alert (devnet and local validators only).</summary>
    public bool AirdropWhenLow { get; set; }

    public long AirdropLamports { get; set; } = 2_000_000_000;

    /// <summary>How long a send waits for its transaction to land before leaving it to the next pass.</summary>
    public TimeSpan ConfirmWait { get; set; } = TimeSpan.FromSeconds(10);
}

public static class MirrorBackends
{
    public const string Registry = "registry";
    public const string Solana = "solana";
}
