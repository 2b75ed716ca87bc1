using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// Hands messages to the configured SMTP server with MailKit. Outside Production, no configured host means the development mail
/// server (maildev, started by <c>scripts/run</c>) on localhost:1025 without TLS; in Production a host is required.
/// </summary>
public sealed class SmtpTransport
{
    private readonly SmtpOptions _options;

    public SmtpTransport(IOptions<NotificationsOptions> options, IHostEnvironment environment, ILogger<SmtpTransport> logger)
    {
        var configured = options.Value.Smtp;
        if (string.IsNullOrWhiteSpace(configured.Host))
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException("TicketToken:Notifications:Smtp:Host is not set. In Production mail needs a real SMTP server (docs/operations.md).");
            }

            logger.LogInformation("No SMTP host configured: mail goes to the development mail server on localhost:1025");
            configured = new SmtpOptions { Host = "localhost", Port = 1025, TlsMode = SmtpTlsMode.None, Timeout = configured.Timeout };
        }

        _options = configured;
    }

    public string Server => $"{_options.Host}:{_options.Port}";

    /// <summary>Opens one connection, sends each message, and reports per message: null when accepted, else the error.</summary>
    public async Task<IReadOnlyList<string?>> SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        var tls = _options.TlsMode switch
        {
            SmtpTlsMode.None => SecureSocketOptions.None,
            SmtpTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(_options.Host!, _options.Port, tls, cancellationToken);
        if (!string.IsNullOrEmpty(_options.UserName))
        {
            await client.AuthenticateAsync(_options.UserName, _options.Password ?? "", cancellationToken);
        }

        var outcomes = new List<string?>(messages.Count);
        foreach (var message in messages)
        {
            try
            {
                await client.SendAsync(message, cancellationToken);
                outcomes.Add(null);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException && !cancellationToken.IsCancellationRequested)
            {
                outcomes.Add(Describe(e));
                if (!client.IsConnected)
                {
                    // The connection died: the rest are not sent now either.
                    while (outcomes.Count < messages.Count)
                    {
                        outcomes.Add(Describe(e));
                    }

                    return outcomes;
                }
            }
        }

        await client.DisconnectAsync(quit: true, cancellationToken);
        return outcomes;
    }

    public static string Describe(Exception e) => e switch
    {
        SmtpCommandException command => $"SMTP {(int)command.StatusCode}: {command.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
