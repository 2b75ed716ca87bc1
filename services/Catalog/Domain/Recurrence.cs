namespace TicketToken.Catalog.Domain;

public enum RecurrenceFrequency
{
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// A recurrence rule (a small subset of RFC 5545's RRULE): every <see cref="Interval"/> days, weeks or months, on
/// <see cref="ByWeekDay"/> for weekly rules, <see cref="Count"/> times or until the local date <see cref="Until"/>.
/// </summary>
public sealed record RecurrenceRule(RecurrenceFrequency Frequency, int Interval, int? Count, DateOnly? Until, IReadOnlyList<DayOfWeek> ByWeekDay);

/// <summary>
/// The occurrences of a series, computed on the venue's wall clock: a show at 20:00 stays at 20:00 local time on both
/// sides of a daylight-saving change, so its UTC instant moves. A time that does not exist locally (the hour skipped in
/// spring) moves forward by the gap; a time that exists twice (autumn) takes the first.
/// </summary>
public static class Recurrence
{
    public const int MaximumOccurrences = 366;

    public static IReadOnlyList<DateTimeOffset> Occurrences(DateTimeOffset first, TimeZoneInfo zone, RecurrenceRule rule)
    {
        if (rule.Interval < 1)
        {
            throw CatalogProblems.InvalidRecurrence("interval must be at least 1.");
        }

        if (rule.Count is null == rule.Until is null)
        {
            throw CatalogProblems.InvalidRecurrence("Give either count or until, not both and not neither.");
        }

        if (rule.Count is < 1 or > MaximumOccurrences)
        {
            throw CatalogProblems.InvalidRecurrence($"count must be between 1 and {MaximumOccurrences}.");
        }

        if (rule.Frequency != RecurrenceFrequency.Weekly && rule.ByWeekDay.Count > 0)
        {
            throw CatalogProblems.InvalidRecurrence("byWeekDay applies to weekly rules only.");
        }

        var local = TimeZoneInfo.ConvertTime(first, zone).DateTime;
        var start = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        var dates = rule.Frequency switch
        {
            RecurrenceFrequency.Daily => Daily(start, rule.Interval),
            RecurrenceFrequency.Weekly => Weekly(start, rule.Interval, rule.ByWeekDay.Count > 0 ? rule.ByWeekDay : [start.DayOfWeek]),
            _ => Monthly(start, rule.Interval),
        };

        var limit = rule.Count ?? MaximumOccurrences;
        var occurrences = new List<DateTimeOffset>();
        foreach (var date in dates)
        {
            if (rule.Until is { } until && date > until)
            {
                break;
            }

            if (occurrences.Count == limit)
            {
                // Count stops here; an until that reaches further than the maximum is refused rather than cut short.
                if (rule.Count is null)
                {
                    throw CatalogProblems.TooManyOccurrences();
                }

                break;
            }

            occurrences.Add(AtLocalTime(date.ToDateTime(time), zone));
        }

        return occurrences.Count > 0 ? occurrences : throw CatalogProblems.InvalidRecurrence("The rule has no occurrence on or after the event's start.");
    }

    /// <summary>The instant a wall-clock time of <paramref name="zone"/> names.</summary>
    public static DateTimeOffset AtLocalTime(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // In the spring gap: read the time with the offset in force before it, which lands after the gap.
            return new DateTimeOffset(local, zone.GetUtcOffset(local.AddDays(-1))).ToUniversalTime();
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static IEnumerable<DateOnly> Daily(DateOnly start, int interval)
    {
        for (var date = start; date < DateOnly.MaxValue.AddDays(-interval); date = date.AddDays(interval))
        {
            yield return date;
        }
    }

    private static IEnumerable<DateOnly> Weekly(DateOnly start, int interval, IReadOnlyList<DayOfWeek> days)
    {
        var monday = start.AddDays(-(((int)start.DayOfWeek + 6) % 7));
        var offsets = days.Distinct().Select(d => ((int)d + 6) % 7).Order().ToList();
        for (var week = monday; week < DateOnly.MaxValue.AddDays(-7 * interval); week = week.AddDays(7 * interval))
        {
            foreach (var offset in offsets)
            {
                var date = week.AddDays(offset);
                if (date >= start)
                {
                    yield return date;
                }
            }
        }
    }

    /// <summary>The same day of the month; months without that day (the 31st in April) are skipped, as RFC 5545 does.</summary>
    private static IEnumerable<DateOnly> Monthly(DateOnly start, int interval)
    {
        var first = new DateOnly(start.Year, start.Month, 1);
        for (var month = first; month.Year < 9000; month = month.AddMonths(interval))
        {
            if (start.Day <= DateTime.DaysInMonth(month.Year, month.Month))
            {
                yield return new DateOnly(month.Year, month.Month, start.Day);
            }
        }
    }
}
