using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketToken.Payments.Stripe;

/// <summary>
/// A webhook event. <c>data.object</c> is kept as JSON because its type depends on <see cref="Type"/>, and Stripe renders
/// it in the webhook endpoint's API version, not in the version <see cref="StripeClient"/> pins.
/// </summary>
public sealed record StripeEvent
{
    public required string Id { get; init; }

    /// <summary>e.g. payment_intent.succeeded, payment_intent.payment_failed, refund.updated, account.updated.</summary>
    public required string Type { get; init; }

    public DateTimeOffset Created { get; init; }
    public bool Livemode { get; init; }
    public string? ApiVersion { get; init; }

    /// <summary>The connected account (acct_...) the event happened on, for Connect endpoints.</summary>
    public string? Account { get; init; }

    /// <summary><c>data.object</c>: the object the event is about, as it was when the event happened.</summary>
    public JsonElement DataObject { get; init; }

    /// <summary><c>data.previous_attributes</c>: for *.updated events, the changed fields' earlier values.</summary>
    public JsonElement? PreviousAttributes { get; init; }

    /// <summary>Reads an event from the raw body (verify its signature first).</summary>
    /// <exception cref="JsonException">Not JSON, or not an event.</exception>
    public static StripeEvent Parse(ReadOnlySpan<byte> json)
    {
        var wire = JsonSerializer.Deserialize<Wire>(json, StripeJson.Options);
        if (wire is not { Object: "event", Id: not null, Type: not null, Data.Object.ValueKind: JsonValueKind.Object })
        {
            throw new JsonException($"A Stripe event was expected; the body is a '{wire?.Object}' without data.object.");
        }

        return new StripeEvent
        {
            Id = wire.Id,
            Type = wire.Type,
            Created = wire.Created,
            Livemode = wire.Livemode,
            ApiVersion = wire.ApiVersion,
            Account = wire.Account,
            DataObject = wire.Data.Object,
            PreviousAttributes = wire.Data.PreviousAttributes,
        };
    }

    /// <summary>The PaymentIntent of a payment_intent.* event.</summary>
    public StripePaymentIntent ReadPaymentIntent() => Read<StripePaymentIntent>("payment_intent");

    /// <summary>The Refund of a refund.* event (charge.refunded carries the Charge instead).</summary>
    public StripeRefund ReadRefund() => Read<StripeRefund>("refund");

    /// <summary>The connected account of an account.updated event.</summary>
    public StripeAccount ReadAccount() => Read<StripeAccount>("account");

    private T Read<T>(string objectType)
    {
        var actual = DataObject.ValueKind == JsonValueKind.Object && DataObject.TryGetProperty("object", out var name) ? name.GetString() : null;
        if (actual != objectType)
        {
            throw new InvalidOperationException($"Event {Id} ({Type}) carries a '{actual}', not a '{objectType}'.");
        }

        return DataObject.Deserialize<T>(StripeJson.Options)!;
    }

    private sealed record Wire(string Id, string? Object, string Type, DateTimeOffset Created, bool Livemode, string? ApiVersion, string? Account, WireData? Data);

    private sealed record WireData(
        [property: JsonPropertyName("object")] JsonElement Object,
        JsonElement? PreviousAttributes);
}
