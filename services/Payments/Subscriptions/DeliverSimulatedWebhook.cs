using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.PubSub;
using Stripe;
using TicketToken.Payments.Apis;
using TicketToken.Payments.Simulated;

namespace TicketToken.Payments.Subscriptions;

/// <summary>
/// Delivers the simulated gateway's events the way Stripe does: POSTed to our webhook endpoint (through service
/// invocation to the payments app), signed at the moment of sending with the webhook secret by Stripe.net's own
/// <see cref="EventUtility.GenerateSignatureHeader"/>, retried until the endpoint answers 2xx. So the webhook path is the
/// same code whichever gateway runs.
/// </summary>
public sealed class DeliverSimulatedWebhook([FromKeyedServices(PaymentsModule.Id)] IServiceInvoker invoker, IOptions<PaymentsOptions> options, TimeProvider time,
    ILogger<DeliverSimulatedWebhook> logger) : ITopicHandler<SimulatedWebhook>
{
    public async Task<TopicResult> HandleAsync(SimulatedWebhook data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(data.Payload);
        using var client = invoker.CreateHttpClient(PaymentsModule.Id);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(WebhooksApi.StripePath.TrimStart('/'), UriKind.Relative))
        {
            Content = new ByteArrayContent(payload),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhooksApi.SignatureHeader,
            EventUtility.GenerateSignatureHeader(data.Payload, options.Value.WebhookSecrets[0], time.GetUtcNow().ToUnixTimeSeconds()));
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return TopicResult.Success;
        }

        logger.LogWarning("The webhook endpoint answered {Status} to simulated event {EventId} ({Type}); retrying", (int)response.StatusCode, data.EventId, data.Type);
        return TopicResult.Retry;
    }
}
