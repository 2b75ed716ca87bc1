using System.Text.Json.Nodes;

namespace TicketToken.Notifications.Domain;

/// <summary>
/// Values a handler puts in a model raw and the sender formats in the recipient's language (known only when it is sent):
/// amounts in minor units and moments in a time zone.
/// </summary>
public static class Localised
{
    public static JsonObject Money(long minor, string currency) => new() { ["$money"] = minor, ["currency"] = currency };

    public static JsonObject Time(DateTimeOffset? at, string? timeZone = null) => at is { } value
        ? new JsonObject { ["$time"] = value, ["timeZone"] = timeZone }
        : new JsonObject { ["$time"] = null };
}
