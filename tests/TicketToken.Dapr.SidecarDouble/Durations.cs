using System.Globalization;
using System.Text.RegularExpressions;

namespace TicketToken.Dapr.SidecarDouble;

/// <summary>The time formats the sidecar accepts for dueTime and period: RFC 3339, Go durations, ISO 8601 durations.</summary>
internal static partial class Durations
{
    /// <summary>A due time: an RFC 3339 instant, or a delay from now; empty means now.</summary>
    public static DateTimeOffset DueAt(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return now;
        }

        if (text.Contains('T', StringComparison.Ordinal) && !text.StartsWith('P') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        return now + (Parse(text) ?? throw new FormatException($"'{text}' is neither RFC 3339 nor a duration."));
    }

    /// <summary>A period (Go or ISO 8601 duration, ISO may carry R{n}/); null when absent or zero.</summary>
    public static TimeSpan? Period(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var body = text.StartsWith('R') && text.Contains('/', StringComparison.Ordinal) ? text[(text.IndexOf('/', StringComparison.Ordinal) + 1)..] : text;
        var period = Parse(body) ?? throw new FormatException($"'{text}' is not a duration.");
        return period > TimeSpan.Zero ? period : null;
    }

    public static string Go(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static TimeSpan? Parse(string text)
    {
        if (text.StartsWith('P'))
        {
            var iso = Iso().Match(text);
            if (!iso.Success)
            {
                return null;
            }

            double Part(string name) => iso.Groups[name].Success ? double.Parse(iso.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
            return TimeSpan.FromDays(Part("d") + 7 * Part("w")) + TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
        }

        var total = TimeSpan.Zero;
        var matches = Go().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return null;
        }

        foreach (Match part in matches)
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                "us" or "µs" => TimeSpan.FromMicroseconds(amount),
                _ => TimeSpan.FromTicks((long)(amount / 100)),
            };
        }

        return total;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex Go();

    [GeneratedRegex(@"^P(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+(?:\.\d+)?)H)?(?:(?<m>\d+(?:\.\d+)?)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$")]
    private static partial Regex Iso();
}
