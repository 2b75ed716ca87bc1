namespace TicketToken.Scanning;

/// <summary>Settings of the scanning module, section <c>TicketToken:Scanning</c>; checked when the host starts.</summary>
public sealed class ScanningOptions
{
    public const string Section = "TicketToken:Scanning";

    /// <summary>
    /// The setting with the base64 of 32 random bytes that protects, at rest, the event keys fetched from tickets and the
    /// manifest signing keys (AES-256-GCM). Required in Production; elsewhere a fixed development key is used, with a warning.
    /// </summary>
    public const string SecretKeySetting = Section + ":SecretKey";

    /// <summary>How many code steps a code may be off the current one (phones' and scanners' clocks differ a little).</summary>
    public int AllowedSkewSteps { get; set; } = 1;

    /// <summary>How long a manifest is good for at most (it also ends when the event's check-in closes).</summary>
    public TimeSpan ManifestLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long one manifest serves every device of the event while no ticket changes (its issue time is then that old).</summary>
    public TimeSpan ManifestReuse { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How stale another replica's changes to events, tickets and devices may be in this one's memory.</summary>
    public TimeSpan ViewRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most scans one group commit writes.</summary>
    public int ScanLogMaxBatch { get; set; } = 512;

    /// <summary>Group commits in flight at once.</summary>
    public int ScanLogWriters { get; set; } = 2;

    /// <summary>
    /// Whether this process is the only one scanning its database: true on the embedded runtime (one host per database,
    /// held by the runtime's lease), false under Dapr (replicas). Set by the module from <c>TicketToken:Runtime</c>.
    /// </summary>
    internal bool SingleHost { get; set; }

    /// <summary>The most scans one reconcile upload may carry.</summary>
    public int MaxReconcileScans { get; set; } = 5000;
}
