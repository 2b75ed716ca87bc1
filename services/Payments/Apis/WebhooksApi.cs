using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Apis;

/// <summary>The gateway's webhooks: Stripe's, or the simulated gateway's, signed the same way and taken in by the same code.</summary>
public static class WebhooksApi
{
    public const string StripePath = "/api/payments/webhooks/stripe";
    private const int MaximumBodyBytes = 1024 * 1024;

    public static RouteHandlerBuilder MapWebhooksApi(this IEndpointRouteBuilder app) =>
        app.MapPost(StripePath, ReceiveStripeEvent).WithTags("Webhooks").WithName("ReceiveStripeWebhook")
            .WithSummary("Takes in a payment gateway event (payment_intent.*, refund.*, account.updated), verified by its Stripe-Signature; each event id once.")
            .Accepts<JsonElement>("application/json")
            // Anonymous on purpose: Stripe sends no token. The HMAC of the raw body under the endpoint secret is the authentication.
            .AllowAnonymous();

    /// <summary><c>duplicate</c>: the event had been received before and changed nothing this time.</summary>
    public sealed record WebhookReceipt(string EventId, bool Duplicate);

    private static async Task<Ok<WebhookReceipt>> ReceiveStripeEvent(HttpRequest request, WebhookInbox inbox, IOptions<PaymentsOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var payload = await ReadBodyAsync(request, cancellationToken);
        var check = StripeWebhookSignature.Verify(payload, request.Headers[StripeWebhookSignature.HeaderName].ToString(), [.. options.Value.WebhookSecrets], time.GetUtcNow());
        if (check != StripeSignatureCheck.Valid)
        {
            throw PaymentsProblems.InvalidSignature(check);
        }

        StripeEvent stripeEvent;
        try
        {
            stripeEvent = StripeEvent.Parse(payload);
        }
        catch (JsonException e)
        {
            throw PaymentsProblems.InvalidEvent(e.Message);
        }

        try
        {
            var received = await inbox.ReceiveAsync(stripeEvent, Encoding.UTF8.GetString(payload), cancellationToken);
            return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, Duplicate: !received));
        }
        catch (InvalidWebhookEventException e)
        {
            throw PaymentsProblems.InvalidEvent(e.Message);
        }
    }

    /// <summary>The body exactly as received: the signature is over these bytes, not over any re-serialization.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaximumBodyBytes)
        {
            throw PaymentsProblems.PayloadTooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaximumBodyBytes)
            {
                throw PaymentsProblems.PayloadTooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
