using System.Globalization;

namespace TicketToken.Notifications.Domain;

/// <summary>How amounts and times read in a message, per language (the host runs with invariant globalization, so formats are spelled out).</summary>
public static class Formats
{
    /// <summary>Minor units as the currency's major unit: 4900 EUR is "49.00 EUR" ("49,00 EUR" in German); zero-decimal currencies have no fraction.</summary>
    public static string Money(long minor, string currency, string? language)
    {
        var major = Contracts.Money.Major(minor, currency);
        return (language == "de" ? major.Replace('.', ',') : major) + " " + currency.ToUpperInvariant();
    }

    /// <summary>A moment on the wall clock of <paramref name="timeZone"/> (the venue's; UTC when unknown), with the zone named.</summary>
    public static string When(DateTimeOffset? at, string? timeZone, string? language)
    {
        if (at is not { } value)
        {
            return language == "de" ? "Termin folgt" : "date to be announced";
        }

        var zone = TimeZoneInfo.Utc;
        if (timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found))
        {
            zone = found;
        }

        var local = TimeZoneInfo.ConvertTime(value, zone);
        var pattern = language == "de" ? "dd.MM.yyyy HH:mm" : "yyyy-MM-dd HH:mm";
        return local.ToString(pattern, CultureInfo.InvariantCulture) + " (" + (zone == TimeZoneInfo.Utc ? "UTC" : zone.Id) + ")";
    }
}
