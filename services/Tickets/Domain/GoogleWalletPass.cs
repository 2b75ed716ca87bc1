using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Domain;

/// <summary>
/// The "Save to Google Wallet" link of a ticket: a JWT (RS256, signed with the service account) whose payload carries the
/// event ticket class (the event) and object (the ticket) in full, so nothing is stored at Google before the fan saves
/// it. The object's barcode is a rotating barcode: Google Wallet computes an RFC 6238 TOTP from the ticket's TOTP key
/// and fills in <see cref="TotpCode.WalletValuePattern"/>, which makes the same <c>TT2</c> code the app shows.
/// </summary>
/// <remarks>
/// Field names are Google's (Wallet API reference: Jwt, EventTicketClass, EventTicketObject, RotatingBarcode). The
/// object's id carries the secret version, so a ticket passed on is a new object for its new owner, and the old one
/// keeps computing codes of a secret the gate calls <c>superseded</c>.
/// </remarks>
public static class GoogleWalletPass
{
    public const string SaveUrlPrefix = "https://pay.google.com/gp/v/save/";

    public static string ObjectId(GoogleWalletOptions options, CarriedTicket ticket) =>
        string.Create(CultureInfo.InvariantCulture, $"{options.IssuerId}.ticket-{ticket.Ticket.Id:N}-v{ticket.Ticket.SecretVersion}");

    public static string ClassId(GoogleWalletOptions options, CarriedTicket ticket) => $"{options.IssuerId}.event-{ticket.Event.Id:N}";

    /// <summary>The signed JWT; the save link is <see cref="SaveUrlPrefix"/> followed by it.</summary>
    public static string SaveJwt(CarriedTicket ticket, byte[] totpKey, int stepSeconds, DateTimeOffset? validUntil, GoogleWalletOptions options,
        string organizationName, GoogleServiceAccount account, DateTimeOffset now)
    {
        var eventClass = new JsonObject
        {
            ["id"] = ClassId(options, ticket),
            ["issuerName"] = organizationName,
            ["reviewStatus"] = "UNDER_REVIEW",
            ["eventName"] = Localized(ticket.EventName),
            ["hexBackgroundColor"] = "#1e293b",
        };
        if (ticket.Event.VenueName is { } venueName)
        {
            eventClass["venue"] = new JsonObject { ["name"] = Localized(venueName), ["address"] = Localized(ticket.Venue) };
        }

        if (ticket.Event.StartsAt is { } startsAt)
        {
            eventClass["dateTime"] = new JsonObject
            {
                ["start"] = Iso(startsAt),
                ["end"] = ticket.Event.EndsAt is { } endsAt ? Iso(endsAt) : null,
            };
        }

        var eventObject = new JsonObject
        {
            ["id"] = ObjectId(options, ticket),
            ["classId"] = ClassId(options, ticket),
            ["state"] = "ACTIVE",
            ["ticketNumber"] = ticket.Number,
            ["ticketType"] = Localized(ticket.Ticket.TicketTypeName),
            ["rotatingBarcode"] = new JsonObject
            {
                ["type"] = "QR_CODE",
                ["valuePattern"] = TotpCode.WalletValuePattern(ticket.Ticket.Id),
                ["alternateText"] = ticket.Number,
                ["totpDetails"] = new JsonObject
                {
                    ["periodMillis"] = (stepSeconds * 1000L).ToString(CultureInfo.InvariantCulture),
                    ["algorithm"] = "TOTP_SHA1",
                    ["parameters"] = new JsonArray(new JsonObject
                    {
                        ["key"] = Convert.ToHexStringLower(totpKey),
                        ["valueLength"] = TotpCode.Digits,
                    }),
                },
            },
        };
        if (ticket.HolderName is { Length: > 0 } holder)
        {
            eventObject["ticketHolderName"] = holder;
        }

        if (ticket.Ticket.SeatId is not null)
        {
            var seat = new JsonObject();
            AddLocalized(seat, "section", ticket.Ticket.Section);
            AddLocalized(seat, "row", ticket.Ticket.SeatRow);
            AddLocalized(seat, "seat", ticket.Ticket.SeatNumber);
            eventObject["seatInfo"] = seat;
        }

        if (validUntil is { } until)
        {
            eventObject["validTimeInterval"] = new JsonObject { ["end"] = new JsonObject { ["date"] = Iso(until) } };
        }

        var claims = new JsonObject
        {
            ["iss"] = account.Email,
            ["aud"] = "google",
            ["typ"] = "savetowallet",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["origins"] = new JsonArray([.. options.Origins.Select(origin => (JsonNode?)JsonValue.Create(origin))]),
            ["payload"] = new JsonObject
            {
                ["eventTicketClasses"] = new JsonArray(eventClass),
                ["eventTicketObjects"] = new JsonArray(eventObject),
            },
        };
        var key = new RsaSecurityKey(account.Rsa) { KeyId = account.KeyId };
        return new JsonWebTokenHandler().CreateToken(claims.ToJsonString(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
    }

    private static JsonObject Localized(string value) => new() { ["defaultValue"] = new JsonObject { ["language"] = "en", ["value"] = value } };

    private static void AddLocalized(JsonObject target, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            target[name] = Localized(value);
        }
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
