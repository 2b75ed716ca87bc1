using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Stripe;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Apis;

/// <summary>The gateway's webhooks: Stripe's, or the simulated gateway's, signed the same way and taken in by the same code.</summary>
public static class WebhooksApi
{
    public const string StripePath = "/api/payments/webhooks/stripe";
    public const string SignatureHeader = "Stripe-Signature";

    /// <summary>Stripe's SDKs' default, in seconds: five minutes either way.</summary>
    public const long ToleranceSeconds = 300;

    private const int MaximumBodyBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RouteHandlerBuilder MapWebhooksApi(this IEndpointRouteBuilder app) =>
        app.MapPost(StripePath, ReceiveStripeEvent).WithTags("Webhooks").WithName("ReceiveStripeWebhook")
            .WithSummary("Takes in a payment gateway event (payment_intent.*, refund.*, account.updated), verified by its Stripe-Signature; each event id once.")
            .WithDescription($"The Stripe webhook endpoint must send events in API version {StripeConfiguration.ApiVersion}, the one Stripe.net pins; others are refused.")
            .Accepts<JsonElement>("application/json")
            // Anonymous on purpose: Stripe sends no token. The HMAC of the raw body under the endpoint secret is the authentication.
            .AllowAnonymous()
            .Problems(() => PaymentsProblems.InvalidEvent("a b"), () => PaymentsProblems.InvalidSignature("a b"), PaymentsProblems.PayloadTooLarge);

    /// <summary><c>duplicate</c>: the event had been received before and changed nothing this time.</summary>
    public sealed record WebhookReceipt(string EventId, bool Duplicate);

    private static async Task<Ok<WebhookReceipt>> ReceiveStripeEvent(HttpRequest request, WebhookInbox inbox, IOptions<PaymentsOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var payload = await ReadBodyAsync(request, cancellationToken);
        string json;
        try
        {
            json = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            throw PaymentsProblems.InvalidEvent("The body is not UTF-8.");
        }

        var stripeEvent = Construct(json, request.Headers[SignatureHeader].ToString(), options.Value.WebhookSecrets, time.GetUtcNow().ToUnixTimeSeconds());
        if (!EventUtility.IsCompatibleApiVersion(stripeEvent.ApiVersion ?? ""))
        {
            // Stripe keeps retrying and shows the failures in its dashboard, which is where the endpoint's version is fixed.
            throw PaymentsProblems.InvalidEvent(
                $"The event is in API version {stripeEvent.ApiVersion}; this endpoint reads {StripeConfiguration.ApiVersion}, the version Stripe.net pins. Set the webhook endpoint's API version to it.");
        }

        GatewayEvent received;
        try
        {
            received = StripeObjects.Event(stripeEvent);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            throw PaymentsProblems.InvalidEvent(e.Message);
        }

        try
        {
            var recorded = await inbox.ReceiveAsync(received, json, cancellationToken);
            return TypedResults.Ok(new WebhookReceipt(received.Id, Duplicate: !recorded));
        }
        catch (InvalidWebhookEventException e)
        {
            throw PaymentsProblems.InvalidEvent(e.Message);
        }
    }

    /// <summary>
    /// Stripe.net's <see cref="EventUtility.ConstructEvent(string, string, string, long, long, bool)"/> under each endpoint
    /// secret currently valid (more than one while a secret is rolled): the signature over the body exactly as received,
    /// compared in constant time, within <see cref="ToleranceSeconds"/> of now; then the event parsed.
    /// </summary>
    private static Event Construct(string json, string header, IReadOnlyList<string> secrets, long now)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            throw PaymentsProblems.InvalidSignature("There is no Stripe-Signature header.");
        }

        string? refusal = null;
        foreach (var secret in secrets)
        {
            Event stripeEvent;
            try
            {
                // The version is checked by the caller, so that a verified event in another version gets its own answer.
                stripeEvent = EventUtility.ConstructEvent(json, header, secret, ToleranceSeconds, now, throwOnApiVersionMismatch: false);
            }
            catch (StripeException e)
            {
                refusal ??= e.Message;
                continue;
            }
            catch (Exception e) when (e is FormatException or OverflowException or KeyNotFoundException)
            {
                refusal ??= "The header has no usable t= and v1= elements.";
                continue;
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw PaymentsProblems.InvalidEvent(e.Message); // verified, but not an event
            }

            return stripeEvent is { Object: "event", Id: not null, Type: not null, Data.Object: not null }
                ? stripeEvent
                : throw PaymentsProblems.InvalidEvent($"A Stripe event was expected; the body is a '{stripeEvent.Object}' without data.object.");
        }

        throw PaymentsProblems.InvalidSignature(refusal ?? "No v1 signature matches the body under the endpoint's secret.");
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
