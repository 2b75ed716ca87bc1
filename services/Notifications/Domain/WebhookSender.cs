using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Contracts.Notifications;
using TicketToken.Notifications.Data;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// One delivery attempt: sign the stored body with the endpoint's secret(s), POST it through a client that connects only to
/// checked addresses and follows no redirect, and describe what happened for the delivery log.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private const int ResponseExcerpt = 2048;
    private readonly HttpClient _client;
    private readonly WebhookOptions _options;

    public WebhookSender(IOptions<NotificationsOptions> options)
    {
        _options = options.Value.Webhooks;
        var allowPrivate = _options.AllowPrivateNetworks;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect could point anywhere, past the address check
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => WebhookAddresses.ConnectAsync(context, allowPrivate, cancellationToken),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own
        };
    }

    public async Task<WebhookAttempt> AttemptAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, SecretProtector protector, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var secrets = new List<string> { Encoding.UTF8.GetString(protector.Unprotect(endpoint.Secret)) };
        if (endpoint.PreviousSecret is { } previous && endpoint.PreviousSecretExpiresAt > now)
        {
            secrets.Add(Encoding.UTF8.GetString(protector.Unprotect(previous)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        var signature = WebhookSignature.Header(now, delivery.Payload, secrets);
        request.Headers.Add(WebhookEventTypes.SignatureHeader, signature);
        request.Headers.Add("TicketToken-Event-Id", delivery.EventId);
        request.Headers.Add("TicketToken-Event-Type", delivery.EventType);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("TicketToken-Webhooks", "1.0"));
        var attempt = new WebhookAttempt
        {
            Id = Guid.CreateVersion7(now),
            DeliveryId = delivery.Id,
            AttemptedAt = now,
            Url = endpoint.Url,
            // The signature is in the log so an organizer can compare it with what their receiver computed; it reveals no secret.
            RequestHeaders = $"Content-Type: application/json\n{WebhookEventTypes.SignatureHeader}: {signature}\nTicketToken-Event-Id: {delivery.EventId}\nTicketToken-Event-Type: {delivery.EventType}",
        };
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            attempt.ResponseStatus = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            attempt.ResponseBody = body.Length > ResponseExcerpt ? body[..ResponseExcerpt] : body;
            if (!response.IsSuccessStatusCode)
            {
                attempt.Error = $"The receiver answered {(int)response.StatusCode}.";
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            attempt.Error = $"No answer within {_options.Timeout.TotalSeconds:0.#} s.";
        }
        catch (HttpRequestException e) when (e.InnerException is AddressRefusedException refused)
        {
            attempt.Error = refused.Message;
        }
        catch (HttpRequestException e)
        {
            attempt.Error = $"The request failed: {e.Message}";
        }

        attempt.DurationMs = (int)clock.ElapsedMilliseconds;
        return attempt;
    }

    public void Dispose() => _client.Dispose();
}
