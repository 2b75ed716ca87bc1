namespace TicketToken.Notifications;

/// <summary>Settings of the notifications module, section <c>TicketToken:Notifications</c>; checked when the host starts.</summary>
public sealed class NotificationsOptions
{
    public const string Section = "TicketToken:Notifications";

    /// <summary>The base64 of 32 random bytes that encrypts what messages carry until they are sent and the webhook secrets.</summary>
    public const string SecretKeySetting = Section + ":SecretKey";

    public SmtpOptions Smtp { get; set; } = new();

    public MailOptions Mail { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();
}

/// <summary>How TLS is used on the SMTP connection.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text: only for a development mail server on this machine.</summary>
    None,

    /// <summary>STARTTLS, required: the connection fails rather than continue in clear (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>The SMTP server mail is handed to.</summary>
public sealed class SmtpOptions
{
    /// <summary>The server; unset outside Production means the development mail server (maildev) on localhost:1025 without TLS.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>How long one connection, command or upload may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where people read what this server received, when it is a development mail server with a web inbox (scripts/run sets it to
    /// maildev's); announced when the host is up, beside the Swagger UI's address. Nothing else uses it.
    /// </summary>
    public string? InboxUrl { get; set; }
}

/// <summary>What the mail says it comes from, and how the queue retries.</summary>
public sealed class MailOptions
{
    public string FromAddress { get; set; } = "tickets@tickettoken.local";

    public string FromName { get; set; } = "TicketToken";

    /// <summary>Where links in mail point (the fan's app or site).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

    /// <summary>The wait after the first failed attempt; it doubles with every further failure up to <see cref="RetryMaxBackoff"/>.</summary>
    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a message keeps being retried after it was queued before it is marked failed.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest sleep of the sending loop when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one replica owns a message it is sending before another may take it over.</summary>
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>Outbound webhooks to organizers.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Whether endpoints may resolve to loopback, link-local, private or other non-public addresses (server-side request
    /// forgery, OWASP API7). Off unless the operator turns it on, e.g. for receivers inside their own network.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Whether endpoint URLs must be https.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>How long one delivery attempt may take, connection included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failed attempt; doubling up to <see cref="RetryMaxBackoff"/>.</summary>
    public TimeSpan RetryInitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a delivery is retried after its first attempt; a delivery still failing then disables its endpoint.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long the previous secret still signs (beside the new one) after a rotation, at most.</summary>
    public TimeSpan MaxPreviousSecretLifetime { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Endpoints one organizer may register.</summary>
    public int MaxEndpointsPerOrganizer { get; set; } = 16;
}
