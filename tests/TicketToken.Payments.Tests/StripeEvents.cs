using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.Payments.Tests;

/// <summary>Webhook bodies in Stripe's shapes, in the API version Stripe.net pins (the one the webhook endpoint reads), for tests.</summary>
public static class StripeEvents
{
    public static string NewEventId() => $"evt_test_{Guid.NewGuid():N}";

    public static JsonObject Intent(string intentId, Guid? orderId, string status, long amount = 5000, string currency = "usd", DateTimeOffset? created = null,
        JsonObject? lastPaymentError = null)
    {
        var metadata = new JsonObject();
        if (orderId is { } id)
        {
            metadata["order_id"] = id.ToString();
        }

        return new JsonObject
        {
            ["id"] = intentId,
            ["object"] = "payment_intent",
            ["amount"] = amount,
            ["currency"] = currency,
            ["status"] = status,
            ["client_secret"] = $"{intentId}_secret_test",
            ["metadata"] = metadata,
            ["last_payment_error"] = lastPaymentError,
            ["latest_charge"] = null,
            ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            ["livemode"] = false,
        };
    }

    public static JsonObject Refund(string refundId, string intentId, Guid orderId, Guid refundIdOfOrders, long amount, string status) => new()
    {
        ["id"] = refundId,
        ["object"] = "refund",
        ["amount"] = amount,
        ["currency"] = "usd",
        ["status"] = status,
        ["payment_intent"] = intentId,
        ["metadata"] = new JsonObject { ["order_id"] = orderId.ToString(), ["refund_id"] = refundIdOfOrders.ToString() },
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
    };

    public static JsonObject Declined(string declineCode = "generic_decline") => new()
    {
        ["type"] = "card_error",
        ["code"] = "card_declined",
        ["decline_code"] = declineCode,
        ["message"] = "Your card was declined.",
    };

    public static JsonObject Account(string accountId, Guid organizerId, bool enabled) => new()
    {
        ["id"] = accountId,
        ["object"] = "account",
        ["charges_enabled"] = enabled,
        ["payouts_enabled"] = enabled,
        ["details_submitted"] = enabled,
        ["metadata"] = new JsonObject { ["organizer_id"] = organizerId.ToString() },
    };

    /// <summary>An event envelope around <paramref name="dataObject"/>.</summary>
    public static string Event(string type, JsonObject dataObject, DateTimeOffset? created = null, string? eventId = null, string? apiVersion = null) => new JsonObject
    {
        ["id"] = eventId ?? NewEventId(),
        ["object"] = "event",
        ["api_version"] = apiVersion ?? Stripe.StripeConfiguration.ApiVersion,
        ["created"] = (created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["type"] = type,
        ["pending_webhooks"] = 1,
        ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
        ["data"] = new JsonObject { ["object"] = dataObject },
    }.ToJsonString();

    public static string Id(string eventJson) => JsonDocument.Parse(eventJson).RootElement.GetProperty("id").GetString()!;
}
