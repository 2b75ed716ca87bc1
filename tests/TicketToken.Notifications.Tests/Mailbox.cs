using MimeKit;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// A real SMTP server for the tests: <c>mailbox/mailbox.js</c> on Nodemailer's <c>smtp-server</c> (npm), started as a child process on
/// a loopback port, requiring AUTH with test credentials and writing every message it accepts to a directory, where the tests read
/// them back with MimeKit. It can be stopped and started again on the same port, which is how SMTP being down is made deterministic.
/// </summary>
public sealed class Mailbox : IAsyncDisposable
{
    public const string UserName = "tickettoken";
    public const string Password = "mailbox-secret";

    /// <summary>The server: <c>mailbox/mailbox.js</c> with its node_modules (scripts/test installs them).</summary>
    public static NodeTool Tool { get; } = new("TicketToken.Notifications.Tests", "mailbox", "mailbox.js", "smtp-server");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tickettoken-mailbox-" + Guid.NewGuid().ToString("N"));
    private readonly NodeToolProcess _server = new(Tool, TimeSpan.FromMinutes(1));

    public int Port => _server.Port;

    /// <summary>Why the mailbox cannot run here, or null when it can.</summary>
    public static string? Unavailable => Tool.Unavailable;

    public bool Running => _server.Running;

    public Task StartAsync() => _server.StartAsync("--dir", _directory, "--user", UserName, "--pass", Password);

    /// <summary>Stops the server; connections are refused until <see cref="StartAsync"/>.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Every message received so far, in arrival order.</summary>
    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.Exists(_directory)
            ? [.. Directory.GetFiles(_directory, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f))]
            : [];

    public IReadOnlyList<MimeMessage> To(string address) =>
        [.. Messages().Where(m => m.To.Mailboxes.Any(x => string.Equals(x.Address, address, StringComparison.OrdinalIgnoreCase)))];

    /// <summary>Waits for the first message to <paramref name="address"/> that matches <paramref name="match"/> (by default: any).</summary>
    public async Task<MimeMessage> WaitForAsync(string address, Func<MimeMessage, bool>? match = null, TimeSpan? timeout = null)
    {
        MimeMessage? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = To(address).FirstOrDefault(m => match?.Invoke(m) ?? true);
            return Task.FromResult(found is not null);
        }, $"a message to {address} arrived at the mailbox", timeout ?? TimeSpan.FromSeconds(60));
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>A test that reads mail from the real SMTP server; skipped, with the reason, where node or smtp-server is missing.</summary>
public sealed class MailFactAttribute : FactAttribute
{
    public MailFactAttribute()
    {
        if (Mailbox.Unavailable is { } reason)
        {
            Skip = $"SKIPPED: {reason}; with it this test reads the e-mail from a real SMTP server.";
        }
    }
}

public static class MimeMessages
{
    /// <summary>The plain-text part.</summary>
    public static string Text(this MimeMessage message) => message.TextBody ?? "";

    public static string Html(this MimeMessage message) => message.HtmlBody ?? "";
}
