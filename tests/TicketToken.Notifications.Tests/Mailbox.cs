using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tickettoken-mailbox-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; } = FreePort();

    /// <summary>Where the script lives, with its node_modules (scripts/test installs them).</summary>
    public static string ScriptDirectory { get; } = FindScriptDirectory();

    /// <summary>Why the mailbox cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        ToolFactAttribute.Find("node") is null ? "'node' is not on PATH (Debian package nodejs)"
        : !Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "smtp-server")) ? $"smtp-server is not installed in {ScriptDirectory} (scripts/test runs npm install there)"
        : null;

    public bool Running => _process is { HasExited: false };

    public async Task StartAsync()
    {
        if (Running)
        {
            return;
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["mailbox.js", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", _directory, "--user", UserName,
                     "--pass", Password])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
        if (line?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"The mailbox did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>Stops the server (the process this fixture started, by its own id); connections are refused until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindScriptDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "TicketToken.Notifications.Tests", "mailbox");
            if (File.Exists(Path.Combine(candidate, "mailbox.js")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/TicketToken.Notifications.Tests/mailbox/mailbox.js not found above " + AppContext.BaseDirectory);
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
