using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketToken.Payments.Simulated;

// The objects the simulated gateway stores and answers with, in the JSON of the API version Stripe.net pins
// (snake_case, timestamps as unix seconds): the fields of each object our code and Stripe.net read, and the ones a
// reader of Stripe's API reference expects to find. This is the server's side of the wire, which no served library
// provides; the tests parse every answer with Stripe.net itself.

internal static class StripeJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new UnixSecondsConverter() },
    };

    private sealed class UnixSecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64());

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value.ToUnixTimeSeconds());
    }
}

internal sealed record WireIntent
{
    public required string Id { get; init; }
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "payment_intent";
    public long Amount { get; init; }
    public long AmountReceived { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public string? ClientSecret { get; init; }
    public string CaptureMethod { get; init; } = "automatic";
    public string ConfirmationMethod { get; init; } = "automatic";
    public IReadOnlyList<string> PaymentMethodTypes { get; init; } = ["card"];
    public string? PaymentMethod { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public WireError? LastPaymentError { get; init; }
    public WireNextAction? NextAction { get; init; }
    public string? LatestCharge { get; init; }
    public string? CancellationReason { get; init; }
    public DateTimeOffset? CanceledAt { get; init; }
    public DateTimeOffset Created { get; init; }
    public bool Livemode { get; init; }
}

internal sealed record WireNextAction(string Type, WireRedirect RedirectToUrl);

internal sealed record WireRedirect(string Url, string? ReturnUrl);

/// <summary>Stripe's error object; on a card_error from a confirmation it carries the intent as it now is.</summary>
internal sealed record WireError
{
    public required string Type { get; init; }
    public string? Code { get; init; }
    public string? DeclineCode { get; init; }
    public string? Param { get; init; }
    public required string Message { get; init; }
    public string? DocUrl { get; init; }
    public WireIntent? PaymentIntent { get; init; }
}

internal sealed record WireRefund
{
    public required string Id { get; init; }
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "refund";
    public long Amount { get; init; }
    public required string Currency { get; init; }
    public required string Status { get; init; }
    public string? Charge { get; init; }
    public string? PaymentIntent { get; init; }
    public string? Reason { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
}

/// <summary>The parts of a Charge that charge.refunded carries.</summary>
internal sealed record WireCharge
{
    public required string Id { get; init; }
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "charge";
    public long Amount { get; init; }
    public long AmountRefunded { get; init; }
    public required string Currency { get; init; }
    public string? PaymentIntent { get; init; }
    public bool Refunded { get; init; }
    public string Status { get; init; } = "succeeded";
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
}

internal sealed record WireAccount
{
    public required string Id { get; init; }
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "account";
    public string Type { get; init; } = "express";
    public string? Country { get; init; }
    public string? Email { get; init; }
    public bool ChargesEnabled { get; init; }
    public bool PayoutsEnabled { get; init; }
    public bool DetailsSubmitted { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
}

internal sealed record WireAccountLink
{
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "account_link";
    public required string Url { get; init; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

internal sealed record WireTransfer
{
    public required string Id { get; init; }
    [JsonPropertyName("object")] public string ObjectType { get; init; } = "transfer";
    public long Amount { get; init; }
    public long AmountReversed { get; init; }
    public required string Currency { get; init; }
    public required string Destination { get; init; }
    public string? TransferGroup { get; init; }
    public string? SourceTransaction { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset Created { get; init; }
    public bool Livemode { get; init; }
}

internal sealed record WireEvent(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    string ApiVersion,
    DateTimeOffset Created,
    bool Livemode,
    string Type,
    int PendingWebhooks,
    WireEventRequest Request,
    WireEventData Data);

internal sealed record WireEventRequest(string? Id, string? IdempotencyKey);

internal sealed record WireEventData([property: JsonPropertyName("object")] JsonElement Object);
