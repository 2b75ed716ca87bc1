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

    /// <summary>
    /// Where fans and their wallets reach this API from outside (scheme, host, port, no path): links in e-mails and the
    /// Apple Wallet pass web service are made from it. Apple Wallet calls only https addresses.
    /// </summary>
    public Uri PublicBaseUrl { get; set; } = new("http://localhost:5000");

    /// <summary>How long a wallet link sent by e-mail works (it also stops with the ticket's next secret version).</summary>
    public TimeSpan WalletLinkLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Where the PDF's fonts are: DejaVu Sans (<c>DejaVuSans.ttf</c>, <c>DejaVuSans-Bold.ttf</c>, Debian's fonts-dejavu-core).</summary>
    public string PdfFontDirectory { get; set; } = "/usr/share/fonts/truetype/dejavu";

    public AppleWalletOptions AppleWallet { get; set; } = new();

    public GoogleWalletOptions GoogleWallet { get; set; } = new();
}

/// <summary>
/// Apple Wallet passes (<c>TicketToken:Tickets:AppleWallet</c>). Without a certificate a development certificate is made
/// outside Production (Wallet on a phone refuses its passes; everything else about them is real); in Production the
/// pass is then not offered.
/// </summary>
public sealed class AppleWalletOptions
{
    /// <summary>The Pass Type ID registered with Apple (<c>pass.com.example.tickets</c>); the certificate must be issued for it.</summary>
    public string PassTypeIdentifier { get; set; } = "pass.dev.tickettoken.ticket";

    /// <summary>The Apple Developer Team ID the pass type belongs to.</summary>
    public string TeamIdentifier { get; set; } = "TTDEVTEAM0";

    /// <summary>Who issues the passes, as Wallet shows it.</summary>
    public string OrganizationName { get; set; } = "TicketToken";

    /// <summary>The Pass Type ID certificate with its private key, a PKCS#12 (.p12) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The .p12 file's password (a secret: from the environment or a secret store, never the repository).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Apple's Worldwide Developer Relations G4 intermediate certificate (PEM or DER), included in every signature.</summary>
    public string? WwdrCertificatePath { get; set; }
}

/// <summary>
/// Google Wallet passes (<c>TicketToken:Tickets:GoogleWallet</c>). Without a service-account key a development key is made
/// outside Production (Google refuses its links; the JWT is otherwise what Google gets); in Production the link is then
/// not offered.
/// </summary>
public sealed class GoogleWalletOptions
{
    /// <summary>The Google Wallet issuer id (digits, from the Google Pay and Wallet console).</summary>
    public string IssuerId { get; set; } = "3388000000000000000";

    /// <summary>The service account's JSON key file (with <c>client_email</c> and <c>private_key</c>) the save links are signed with.</summary>
    public string? ServiceAccountKeyPath { get; set; }

    /// <summary>Web origins that may show the "Save to Google Wallet" button (the JWT's <c>origins</c>).</summary>
    public List<string> Origins { get; set; } = [];
}
