using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets;

/// <summary>Settings of the tickets module, section <c>TicketToken:Tickets</c>; checked when the host starts.</summary>
public sealed class TicketsOptions
{
    public const string Section = "TicketToken:Tickets";

    /// <summary>
    /// The setting with the base64 of 32 random bytes that protects the per-event keys at rest (AES-256-GCM). Required in
    /// Production; elsewhere a fixed development key is used, with a warning.
    /// </summary>
    public const string SecretKeySetting = Section + ":SecretKey";

    /// <summary>How often a ticket's entry code changes: 1 to <see cref="TicketCode.MaximumStepSeconds"/> seconds.</summary>
    public int CodeStepSeconds { get; set; } = TicketCode.DefaultStepSeconds;

    /// <summary>How long after an event's end its unused tickets expire (late scans, after-shows, clock trouble).</summary>
    public TimeSpan ExpiryGrace { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a gift waits for its recipient before it can no longer be accepted.</summary>
    public TimeSpan TransferExpiry { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How many transfers one owner may start in any 24 hours (cancelled ones count: starting is what is limited).</summary>
    public int TransferDailyLimit { get; set; } = 10;

    /// <summary>How long a ticket received as a gift stays with its recipient before it can be passed on (zero: at once).</summary>
    public TimeSpan TransferCooldown { get; set; } = TimeSpan.Zero;
}
