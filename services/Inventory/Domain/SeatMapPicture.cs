using System.Globalization;
using System.Net;
using System.Text;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Inventory.Domain;

/// <summary>
/// The seat map as a fan or a box-office clerk picks seats from it: the stage, each section outlined and named, row
/// labels, seats filled in their price zone's colour (held, sold and blocked seats in the status colours instead),
/// accessible seats drawn square, companion seats ringed, and a legend with every zone's price. Each seat carries its
/// id (<c>data-seat</c>), its status (<c>data-status</c>) and a <c>&lt;title&gt;</c> tooltip with its label and price.
/// Seats sit at their coordinates when the map has them, else on a grid per section, sections side by side in bands.
/// Colours live in one stylesheet and seats only name classes, which keeps a 20,000-seat map small (bench/README.md).
/// </summary>
public static class SeatMapPicture
{
    private const double Pitch = 10;
    private const double Radius = 4;
    private const double RowLabelWidth = 26;
    private const double LabelCharacterWidth = 5;
    private const double SectionHeader = 18;
    private const double SectionGap = 24;
    private const double BandWidth = 1600;
    private const double StageHeight = 36;
    private const double Margin = 20;

    /// <summary>Status colours; an available seat takes its zone's colour.</summary>
    public static readonly IReadOnlyDictionary<string, string> StatusColours = new Dictionary<string, string>
    {
        ["held"] = "#ffd54f",
        ["sold"] = "#546e7a",
        ["blocked"] = "#eceff1",
    };

    /// <summary>Zone colours for maps whose zones came without one (events published before zones were announced).</summary>
    private static readonly string[] FallbackColours = ["#1e88e5", "#43a047", "#8e24aa", "#f4511e", "#00897b", "#6d4c41", "#3949ab", "#c0ca33"];

    private static readonly Dictionary<string, string> StatusClass = new() { ["held"] = "h", ["sold"] = "x", ["blocked"] = "b" };

    public static string Draw(EventPlan plan, IReadOnlyList<SectionStatus> sections)
    {
        var zones = ZonesOf(plan, sections);
        var zoneIndex = zones.Select((z, i) => (z.Code, i)).ToDictionary(z => z.Code, z => z.i, StringComparer.Ordinal);
        var placedSections = Place(sections);
        var seatsRight = placedSections.Count == 0 ? 200 : placedSections.Max(s => s.Right);
        var seatsBottom = placedSections.Count == 0 ? 0 : placedSections.Max(s => s.Bottom);
        var width = Math.Max(seatsRight + Margin, 420);
        var legendTop = seatsBottom + SectionGap;
        var legendRows = zones.Count + 2 + StatusColours.Count;
        var height = legendTop + legendRows * 16 + Margin;

        var svg = new StringBuilder(128 + sections.Sum(s => s.Seats.Count) * 110);
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(width)} {N(height)}\" width=\"{N(width)}\" height=\"{N(height)}\" role=\"img\" font-family=\"sans-serif\">");
        svg.Append("<title>").Append(Text(plan.Name)).Append("</title>");
        svg.Append("<style>circle,rect.a{stroke:#263238;stroke-width:.6}.sec{fill:none;stroke:#90a4ae;stroke-width:1}.stage{fill:#37474f}.stage-label{fill:#fff}.a{stroke:#0d47a1;stroke-width:1.6}.c{stroke:#0d47a1;stroke-width:1.6;stroke-dasharray:2 1}");
        for (var i = 0; i < zones.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $".z{i}{{fill:{zones[i].Colour}}}");
        }

        // After the zone rules, so that a seat's status wins over its zone's colour.
        svg.Append(CultureInfo.InvariantCulture, $".h{{fill:{StatusColours["held"]}}}.x{{fill:{StatusColours["sold"]}}}.b{{fill:{StatusColours["blocked"]}}}</style>");

        var stageWidth = Math.Min(Math.Max(seatsRight - Margin, 160), 600);
        var stageX = Math.Max(Margin, (seatsRight + Margin - stageWidth) / 2);
        svg.Append(CultureInfo.InvariantCulture,
            $"<g data-stage=\"\"><rect class=\"stage\" x=\"{N(stageX)}\" y=\"{N(Margin)}\" width=\"{N(stageWidth)}\" height=\"{N(StageHeight - 12)}\" rx=\"4\"/><text class=\"stage-label\" x=\"{N(stageX + stageWidth / 2)}\" y=\"{N(Margin + 16)}\" font-size=\"12\" text-anchor=\"middle\">STAGE</text></g>");

        foreach (var section in placedSections)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g data-section=\"{Attribute(section.Status.Code)}\">");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"sec\" x=\"{N(section.Left)}\" y=\"{N(section.Top)}\" width=\"{N(section.Right - section.Left)}\" height=\"{N(section.Bottom - section.Top)}\" rx=\"6\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{N(section.Left + 6)}\" y=\"{N(section.Top + 13)}\" font-size=\"12\" font-weight=\"bold\">{Text(SectionName(section.Status))}</text>");
            foreach (var (label, x, y) in section.RowLabels)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(x)}\" y=\"{N(y + 3)}\" font-size=\"8\" text-anchor=\"end\">{Text(label)}</text>");
            }

            foreach (var (seat, x, y) in section.Seats)
            {
                var zone = zoneIndex.GetValueOrDefault(seat.PriceZone, -1);
                var classes = new StringBuilder(zone >= 0 ? $"z{zone}" : "");
                if (StatusClass.TryGetValue(seat.Status, out var statusClass))
                {
                    classes.Append(' ').Append(statusClass);
                }

                if (seat.Accessible)
                {
                    classes.Append(" a");
                }
                else if (seat.Companion)
                {
                    classes.Append(" c");
                }

                svg.Append(seat.Accessible
                    ? string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{N(x - Radius)}\" y=\"{N(y - Radius)}\" width=\"8\" height=\"8\"")
                    : string.Create(CultureInfo.InvariantCulture, $"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(Radius)}\""));
                svg.Append(CultureInfo.InvariantCulture, $" class=\"{classes}\" data-seat=\"{Attribute(seat.Id)}\" data-status=\"{seat.Status}\"><title>");
                svg.Append(Text(Tooltip(section.Status, seat, zone >= 0 ? zones[zone] : null, plan.Currency)));
                svg.Append(seat.Accessible ? "</title></rect>" : "</title></circle>");
            }

            svg.Append("</g>");
        }

        AppendLegend(svg, zones, plan.Currency, legendTop);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>What a seat's tooltip says: where it is, its zone and price, and why it cannot be picked when it cannot.</summary>
    public static string Tooltip(SectionStatus section, SeatState seat, PictureZone? zone, string? currency)
    {
        var price = zone?.PriceMinor is { } minor ? Money(minor, currency) : "not on sale";
        var status = seat.Status == "available" ? "" : $" ({seat.Status})";
        var access = seat.Accessible ? ", wheelchair space" : seat.Companion ? ", companion seat" : "";
        return $"{SectionName(section)}, row {seat.Row}, seat {seat.Number}{access}: {zone?.Name ?? seat.PriceZone} {price}{status}";
    }

    private static string SectionName(SectionStatus section) => string.IsNullOrWhiteSpace(section.Name) ? section.Code : section.Name;

    private static void AppendLegend(StringBuilder svg, IReadOnlyList<PictureZone> zones, string? currency, double top)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<g data-legend=\"\" font-size=\"11\"><text x=\"{N(Margin)}\" y=\"{N(top + 10)}\" font-weight=\"bold\">Prices</text>");
        var y = top + 16;
        for (var i = 0; i < zones.Count; i++)
        {
            var price = zones[i].PriceMinor is { } minor ? (zones[i].Varies ? "from " : "") + Money(minor, currency) : "not on sale";
            svg.Append(CultureInfo.InvariantCulture,
                $"<circle class=\"z{i}\" cx=\"{N(Margin + 5)}\" cy=\"{N(y + 6)}\" r=\"5\" data-zone=\"{Attribute(zones[i].Code)}\"/><text x=\"{N(Margin + 16)}\" y=\"{N(y + 10)}\">{Text(zones[i].Name)}: {Text(price)}</text>");
            y += 16;
        }

        foreach (var (status, css) in new[] { ("held", "h"), ("sold", "x"), ("blocked", "b") })
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<circle class=\"{css}\" cx=\"{N(Margin + 5)}\" cy=\"{N(y + 6)}\" r=\"5\"/><text x=\"{N(Margin + 16)}\" y=\"{N(y + 10)}\">{status}</text>");
            y += 16;
        }

        svg.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"a\" x=\"{N(Margin + 1)}\" y=\"{N(y + 2)}\" width=\"8\" height=\"8\" fill=\"#fff\"/><text x=\"{N(Margin + 16)}\" y=\"{N(y + 10)}\">wheelchair space</text>");
        y += 16;
        svg.Append(CultureInfo.InvariantCulture,
            $"<circle class=\"c\" cx=\"{N(Margin + 5)}\" cy=\"{N(y + 6)}\" r=\"4\" fill=\"#fff\"/><text x=\"{N(Margin + 16)}\" y=\"{N(y + 10)}\">companion seat</text></g>");
    }

    /// <summary>
    /// The zones in the order the organizer listed them (then any zone only a seat names), each with the cheapest price
    /// of a reserved ticket type for it; <see cref="PictureZone.Varies"/> when several types sell it at different prices.
    /// </summary>
    public static IReadOnlyList<PictureZone> ZonesOf(EventPlan plan, IReadOnlyList<SectionStatus> sections)
    {
        var named = plan.PriceZones ?? [];
        var codes = named.Select(z => z.Code)
            .Concat(sections.SelectMany(s => s.Seats).Select(s => s.PriceZone))
            .Distinct(StringComparer.Ordinal).ToList();
        return [.. codes.Select((code, i) =>
        {
            var zone = named.FirstOrDefault(z => z.Code == code);
            var prices = plan.TicketTypes.Where(t => t.Kind == PublishedTicketType.Reserved && t.PriceZone == code).Select(t => t.PriceMinor).Distinct().ToList();
            return new PictureZone(code, zone?.Name ?? code, zone is not null && IsColour(zone.Colour) ? zone.Colour : FallbackColours[i % FallbackColours.Length],
                prices.Count == 0 ? null : prices.Min(), prices.Count > 1);
        })];
    }

    private static bool IsColour(string colour) =>
        colour.Length is 4 or 7 && colour[0] == '#' && colour.AsSpan(1).ContainsAnyExcept(HexDigits) is false;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static List<PlacedSection> Place(IReadOnlyList<SectionStatus> sections)
    {
        var all = sections.SelectMany(s => s.Seats).ToList();
        return all.Count > 0 && all.Any(s => s.X != 0 || s.Y != 0) ? PlaceAtCoordinates(sections, all) : PlaceOnGrid(sections);
    }

    /// <summary>Scaled so that neighbouring seats keep their spacing readable; the stage goes above the topmost seat.</summary>
    private static List<PlacedSection> PlaceAtCoordinates(IReadOnlyList<SectionStatus> sections, List<SeatState> all)
    {
        var minX = all.Min(s => s.X);
        var minY = all.Min(s => s.Y);
        var scale = Pitch / SeatSpacing(sections, all);
        var originX = Margin + RowLabelWidth + 6;
        var originY = Margin + StageHeight + SectionHeader + 6;
        var placed = new List<PlacedSection>(sections.Count);
        foreach (var section in sections.Where(s => s.Seats.Count > 0))
        {
            var seats = section.Seats.Select(s => (s, (s.X - minX) * scale + originX, (s.Y - minY) * scale + originY)).ToList();
            var labels = seats.GroupBy(p => p.s.Row)
                .Select(row => (row.Key, row.Min(p => p.Item2) - Radius - 2, row.Average(p => p.Item3))).ToList();
            // Tight around the seats and as wide as the longest row label needs: catalog's grid leaves two seats between
            // sections, and wider padding would draw neighbouring sections over each other.
            var left = labels.Min(l => l.Item2 - LabelCharacterWidth * l.Key.Length) - 2;
            placed.Add(new PlacedSection(section, left, seats.Min(p => p.Item3) - Radius - SectionHeader + 2, seats.Max(p => p.Item2) + Radius + 3,
                seats.Max(p => p.Item3) + Radius + 3, labels, seats));
        }

        return placed;
    }

    /// <summary>
    /// The usual distance between neighbours in a row (the median, so that aisles and stray seats do not count), which
    /// the picture draws as one seat pitch: catalog's grid is one unit per seat, a pretix plan about 25 pixels.
    /// </summary>
    private static double SeatSpacing(IReadOnlyList<SectionStatus> sections, List<SeatState> all)
    {
        var gaps = sections.SelectMany(s => s.Seats.GroupBy(seat => seat.Row))
            .SelectMany(row => row.Zip(row.Skip(1), (a, b) => Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y))))
            .Where(gap => gap > 1e-6)
            .Order()
            .ToList();
        if (gaps.Count > 0)
        {
            return gaps[gaps.Count / 2];
        }

        var span = Math.Max(all.Max(s => s.X) - all.Min(s => s.X), all.Max(s => s.Y) - all.Min(s => s.Y));
        return span <= 0 ? 1 : span / Math.Sqrt(all.Count);
    }

    /// <summary>Each section a block of rows in row order (the first nearest the stage); sections side by side, wrapping into bands.</summary>
    private static List<PlacedSection> PlaceOnGrid(IReadOnlyList<SectionStatus> sections)
    {
        var placed = new List<PlacedSection>(sections.Count);
        var x = Margin;
        var y = Margin + StageHeight;
        var bandBottom = y;
        foreach (var section in sections.Where(s => s.Seats.Count > 0))
        {
            var rows = section.Seats.GroupBy(s => s.Row).Select(g => g.ToList()).ToList();
            var width = RowLabelWidth + rows.Max(r => r.Count) * Pitch + 8;
            var height = SectionHeader + rows.Count * Pitch + 6;
            if (x > Margin && x + width > BandWidth)
            {
                x = Margin;
                y = bandBottom + SectionGap;
            }

            var labels = new List<(string, double, double)>(rows.Count);
            var seats = new List<(SeatState, double, double)>(section.Seats.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                var rowY = y + SectionHeader + r * Pitch + Pitch / 2;
                labels.Add((rows[r][0].Row, x + RowLabelWidth - 4, rowY));
                for (var i = 0; i < rows[r].Count; i++)
                {
                    seats.Add((rows[r][i], x + RowLabelWidth + i * Pitch + Pitch / 2, rowY));
                }
            }

            placed.Add(new PlacedSection(section, x, y, x + width, y + height, labels, seats));
            bandBottom = Math.Max(bandBottom, y + height);
            x += width + SectionGap;
        }

        return placed;
    }

    private static string Money(long minor, string? currency)
    {
        var amount = Contracts.Money.Major(minor, currency);
        return string.IsNullOrEmpty(currency) ? amount : $"{currency.ToUpperInvariant()} {amount}";
    }

    private static string Text(string value) => WebUtility.HtmlEncode(value);

    private static string Attribute(string value) => WebUtility.HtmlEncode(value);

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private sealed record PlacedSection(SectionStatus Status, double Left, double Top, double Right, double Bottom,
        List<(string Label, double X, double Y)> RowLabels, List<(SeatState Seat, double X, double Y)> Seats);
}

/// <summary>A price zone as the picture shows it: name, colour and the cheapest price of its seats (null: no ticket type sells it).</summary>
public sealed record PictureZone(string Code, string Name, string Colour, long? PriceMinor, bool Varies);
