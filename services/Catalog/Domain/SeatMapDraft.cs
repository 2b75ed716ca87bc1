using System.Text.RegularExpressions;

namespace TicketToken.Catalog.Domain;

public static class SeatMapLimits
{
    public const int MaximumSeats = 100_000;
    public const int MaximumZones = 100;
    public const int MaximumBodyBytes = 16 * 1024 * 1024;
}

/// <summary>
/// One thing wrong with a seat map and where it is: <see cref="Line"/> of the CSV or JSON body (1 is the first line)
/// and <see cref="Column"/>, the CSV column or JSON property concerned.
/// </summary>
public sealed record SeatMapError(int? Line, string? Column, string Message);

/// <summary>The errors found in one seat map; the first <see cref="MaximumReported"/> are reported, the rest counted.</summary>
public sealed class SeatMapErrors
{
    public const int MaximumReported = 100;

    private readonly List<SeatMapError> _errors = [];

    public int Count { get; private set; }

    public IReadOnlyList<SeatMapError> Reported => Count > _errors.Count
        ? [.. _errors, new SeatMapError(null, null, $"{Count - _errors.Count} more error(s) not shown.")]
        : _errors;

    public void Add(int? line, string? column, string message)
    {
        Count++;
        if (_errors.Count < MaximumReported)
        {
            _errors.Add(new SeatMapError(line, column, message));
        }
    }
}

/// <summary>A seat map as sent, before validation; each part remembers the line it came from.</summary>
public sealed class SeatMapDraft
{
    /// <summary>The price zones given; null when they are to be made from the seats' zone codes.</summary>
    public List<ZoneDraft>? Zones { get; set; }

    public List<SectionDraft> Sections { get; } = [];

    /// <summary>
    /// Groups flat seat records (CSV lines, JSON import records) into sections and rows. Sections, rows and seats keep
    /// the order in which they first appear, so the file's order is the order from the stage and along the row.
    /// </summary>
    public static SeatMapDraft FromRecords(IEnumerable<SeatRecord> records, List<ZoneDraft>? zones)
    {
        var draft = new SeatMapDraft { Zones = zones };
        var sections = new Dictionary<string, (SectionDraft Section, Dictionary<string, RowDraft> Rows)>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!sections.TryGetValue(record.Section, out var section))
            {
                section = (new SectionDraft(record.Section, null, record.Line), new Dictionary<string, RowDraft>(StringComparer.Ordinal));
                sections.Add(record.Section, section);
                draft.Sections.Add(section.Section);
            }

            if (!section.Rows.TryGetValue(record.Row, out var row))
            {
                row = new RowDraft(record.Row, section.Rows.Count, record.Line);
                section.Rows.Add(record.Row, row);
                section.Section.Rows.Add(row);
            }

            row.Seats.Add(new SeatDraft(record.Seat, record.Zone, record.Accessible, record.Companion, record.Blocked, record.X, record.Y, record.Line));
        }

        return draft;
    }
}

public sealed record ZoneDraft(string Code, string? Name, string? Colour, int? Line);

public sealed class SectionDraft(string code, string? name, int? line)
{
    public string Code { get; } = code;
    public string? Name { get; } = name;
    public int? Line { get; } = line;
    public List<RowDraft> Rows { get; } = [];
}

public sealed class RowDraft(string label, int? index, int? line)
{
    public string Label { get; } = label;
    public int? Index { get; } = index;
    public int? Line { get; } = line;
    public List<SeatDraft> Seats { get; } = [];
}

public sealed record SeatDraft(string Number, string Zone, bool Accessible, bool Companion, bool Blocked, double? X, double? Y, int? Line);

/// <summary>One seat of a flat import: a CSV line or a JSON import record.</summary>
public sealed record SeatRecord(string Section, string Row, string Seat, string Zone, bool Accessible, bool Companion, bool Blocked, double? X, double? Y, int Line);

/// <summary>A valid seat map: zones, then sections with their rows in index order and their seats in row order.</summary>
public sealed record SeatMapLayout(IReadOnlyList<ZoneLayout> Zones, IReadOnlyList<SectionLayout> Sections)
{
    public int SeatCount => Sections.Sum(s => s.Rows.Sum(r => r.Seats.Count));

    /// <summary>
    /// The sections, each with its rows and each row with its seats, in layout order, made into another shape; every seat
    /// comes with its id. A seat map's readers (the seat map API, the event's announcement to inventory) project it this
    /// one way, so the order and the seat ids they give cannot drift apart.
    /// </summary>
    public List<TSection> Project<TSection, TRow, TSeat>(
        Func<SectionLayout, List<TRow>, TSection> section, Func<RowLayout, List<TSeat>, TRow> row, Func<string, SeatLayout, TSeat> seat) =>
        Sections.Select(s => section(s, s.Rows
                .Select(r => row(r, r.Seats.Select(x => seat(SeatMapRules.SeatId(s.Code, r.Label, x.Number), x)).ToList()))
                .ToList()))
            .ToList();
}

public sealed record ZoneLayout(string Code, string Name, string Colour);

public sealed record SectionLayout(string Code, string Name, IReadOnlyList<RowLayout> Rows);

public sealed record RowLayout(string Label, int Index, IReadOnlyList<SeatLayout> Seats);

public sealed record SeatLayout(string Number, string Zone, bool Accessible, bool Companion, bool Blocked, double X, double Y);

/// <summary>
/// What makes a seat map valid. Seat ids join section code, row label and seat number with '-'
/// (<c>STALLS-A-12</c>), so none of the three may contain '-': two different seats could otherwise share an id.
/// </summary>
public static partial class SeatMapRules
{
    private const double SectionGap = 2;

    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string SeatId(string section, string row, string number) => $"{section}-{row}-{number}";

    /// <summary>The layout, or null with every problem in <paramref name="errors"/>.</summary>
    public static SeatMapLayout? Validate(SeatMapDraft draft, SeatMapErrors errors)
    {
        var zones = new Dictionary<string, ZoneLayout>(StringComparer.Ordinal);
        var zoneOrder = new List<string>();
        if (draft.Zones is { } given)
        {
            foreach (var zone in given)
            {
                if (!CheckCode(zone.Code, ZoneCode(), "code", "Price zone code", 20, zone.Line, errors))
                {
                    continue;
                }

                if (zones.ContainsKey(zone.Code))
                {
                    errors.Add(zone.Line, "code", $"Price zone '{zone.Code}' is listed twice.");
                    continue;
                }

                if (zone.Name is { Length: > 100 })
                {
                    errors.Add(zone.Line, "name", "A price zone's name is at most 100 characters.");
                }

                if (zone.Colour is not null && !Colour().IsMatch(zone.Colour))
                {
                    errors.Add(zone.Line, "colour", $"'{zone.Colour}' is not a colour; use #rrggbb.");
                }

                zones.Add(zone.Code, new ZoneLayout(zone.Code, string.IsNullOrWhiteSpace(zone.Name) ? zone.Code : zone.Name.Trim(), zone.Colour ?? Palette[zones.Count % Palette.Length]));
                zoneOrder.Add(zone.Code);
            }
        }

        var seatCount = 0;
        var withCoordinates = 0;
        var sectionLines = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var section in draft.Sections)
        {
            if (CheckCode(section.Code, SectionCode(), "section", "Section code", 20, section.Line, errors) && !sectionLines.TryAdd(section.Code, section.Line))
            {
                errors.Add(section.Line, "section", $"Section '{section.Code}' appears twice{FirstOn(sectionLines[section.Code])}.");
            }

            if (section.Name is { Length: > 100 })
            {
                errors.Add(section.Line, "name", "A section's name is at most 100 characters.");
            }

            if (section.Rows.Count == 0)
            {
                errors.Add(section.Line, "rows", $"Section '{section.Code}' has no rows.");
            }

            var labels = new Dictionary<string, int?>(StringComparer.Ordinal);
            var indexes = new Dictionary<int, int?>();
            foreach (var (row, position) in section.Rows.Select((row, position) => (row, position)))
            {
                if (CheckCode(row.Label, RowLabel(), "row", "Row label", 10, row.Line, errors) && !labels.TryAdd(row.Label, row.Line))
                {
                    errors.Add(row.Line, "row", $"Row '{row.Label}' appears twice in section '{section.Code}'{FirstOn(labels[row.Label])}.");
                }

                // A row without an index takes its position in the list.
                var index = row.Index ?? position;
                if (index is < 0 or > 10_000)
                {
                    errors.Add(row.Line, "index", "A row's index is between 0 (nearest the stage) and 10000.");
                }
                else if (!indexes.TryAdd(index, row.Line))
                {
                    errors.Add(row.Line, "index", $"Two rows of section '{section.Code}' have index {index}{FirstOn(indexes[index])}.");
                }

                if (row.Seats.Count == 0)
                {
                    errors.Add(row.Line, "seats", $"Row '{row.Label}' of section '{section.Code}' has no seats.");
                }

                var numbers = new Dictionary<string, int?>(StringComparer.Ordinal);
                foreach (var seat in row.Seats)
                {
                    seatCount++;
                    if (CheckCode(seat.Number, SeatNumber(), "seat", "Seat number", 10, seat.Line, errors) && !numbers.TryAdd(seat.Number, seat.Line))
                    {
                        errors.Add(seat.Line, "seat", $"Seat {SeatId(section.Code, row.Label, seat.Number)} appears twice{FirstOn(numbers[seat.Number])}.");
                    }

                    if (CheckCode(seat.Zone, ZoneCode(), "zone", "Price zone code", 20, seat.Line, errors) && !zones.ContainsKey(seat.Zone))
                    {
                        if (draft.Zones is not null)
                        {
                            errors.Add(seat.Line, "zone", $"Price zone '{seat.Zone}' is not one of the seat map's price zones ({string.Join(", ", zoneOrder)}).");
                        }
                        else
                        {
                            zones.Add(seat.Zone, new ZoneLayout(seat.Zone, seat.Zone, Palette[zones.Count % Palette.Length]));
                            zoneOrder.Add(seat.Zone);
                        }
                    }

                    if (seat.X is null != seat.Y is null)
                    {
                        errors.Add(seat.Line, seat.X is null ? "x" : "y", "Give both x and y, or neither.");
                    }
                    else if (seat.X is not null)
                    {
                        withCoordinates++;
                    }
                }
            }
        }

        if (seatCount == 0)
        {
            errors.Add(null, null, "The seat map has no seats.");
        }
        else if (seatCount > SeatMapLimits.MaximumSeats)
        {
            errors.Add(null, null, $"A seat map has at most {SeatMapLimits.MaximumSeats} seats; this one has {seatCount}.");
        }

        if (zones.Count > SeatMapLimits.MaximumZones)
        {
            errors.Add(null, "zone", $"A seat map has at most {SeatMapLimits.MaximumZones} price zones; this one has {zones.Count}.");
        }

        if (withCoordinates > 0 && withCoordinates < seatCount)
        {
            // Either every seat is placed by the client or the grid places them all; a mix cannot be drawn.
            foreach (var seat in draft.Sections.SelectMany(s => s.Rows).SelectMany(r => r.Seats).Where(s => s.X is null && s.Y is null))
            {
                errors.Add(seat.Line, "x", "Other seats have coordinates: give x and y for every seat, or for none.");
            }
        }

        return errors.Count > 0 ? null : Lay(draft, zoneOrder.Select(code => zones[code]).ToList(), placed: withCoordinates > 0);
    }

    /// <summary>Orders rows by index and places seats: as given, or on a grid (sections side by side, row index as y).</summary>
    private static SeatMapLayout Lay(SeatMapDraft draft, List<ZoneLayout> zones, bool placed)
    {
        var sections = new List<SectionLayout>(draft.Sections.Count);
        var left = 0d;
        foreach (var section in draft.Sections)
        {
            var rows = section.Rows.Select((row, position) => (Row: row, Index: row.Index ?? position)).OrderBy(r => r.Index).ToList();
            var width = rows.Max(r => r.Row.Seats.Count);
            sections.Add(new SectionLayout(section.Code, string.IsNullOrWhiteSpace(section.Name) ? section.Code : section.Name.Trim(), rows
                .Select(r => new RowLayout(r.Row.Label, r.Index, r.Row.Seats
                    .Select((seat, i) => new SeatLayout(seat.Number, seat.Zone, seat.Accessible, seat.Companion, seat.Blocked,
                        placed ? seat.X!.Value : left + i, placed ? seat.Y!.Value : r.Index))
                    .ToList()))
                .ToList()));
            left += width + SectionGap;
        }

        return new SeatMapLayout(zones, sections);
    }

    private static bool CheckCode(string value, Regex shape, string column, string what, int maximumLength, int? line, SeatMapErrors errors)
    {
        if (shape.IsMatch(value))
        {
            return true;
        }

        errors.Add(line, column, value.Length == 0
            ? $"{what} is required."
            : $"{what} '{value}' must be 1 to {maximumLength} letters, digits or '_'.");
        return false;
    }

    private static string FirstOn(int? line) => line is { } first ? $" (first on line {first})" : "";

    [GeneratedRegex("^[A-Za-z0-9_]{1,20}$")]
    private static partial Regex SectionCode();

    [GeneratedRegex("^[A-Za-z0-9_]{1,10}$")]
    private static partial Regex RowLabel();

    [GeneratedRegex("^[A-Za-z0-9_]{1,10}$")]
    private static partial Regex SeatNumber();

    [GeneratedRegex("^[A-Za-z0-9_]{1,20}$")]
    private static partial Regex ZoneCode();

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex Colour();
}
