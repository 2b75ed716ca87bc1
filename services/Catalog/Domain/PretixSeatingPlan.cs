using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Catalog.Domain;

/// <summary>One thing wrong with a pretix seating plan, at <see cref="Path"/> (a JSONPath such as <c>$.zones[0].rows[2].seats[5].category</c>).</summary>
public sealed record PlanProblem(string Path, string Message);

/// <summary>
/// What a seat map keeps of a pretix plan beyond its seats, so that an export gives back what was imported: the plan's
/// size, and per pretix zone in order its position, name, id and area shapes (the stage, bars, standing areas, labels)
/// as they were sent. <see cref="PlanZone.Section"/> names the section made of the zone's rows; null for a zone that
/// only draws shapes.
/// </summary>
public sealed record PlanShapes(double Width, double Height, IReadOnlyList<PlanZone> Zones);

public sealed record PlanZone(string? Section, string? Name, string? ZoneId, double X, double Y, IReadOnlyList<JsonNode?> Areas);

/// <summary>
/// pretix's seating-plan JSON (the format of its published <c>seating-plan.schema.json</c>, draft-07): zones of rows of
/// seats with categories, plus area shapes. On import a zone with rows becomes a section, a category a price zone,
/// a row keeps its order from the stage, and a seat sits at its zone's, its row's and its own position added up.
/// The schema's rules are checked while reading (no library on the feed reads this document for us without embedding
/// pretix's schema file), each problem with the path of the bad element. pretix has no accessible, companion or
/// blocked seats: imported seats are none of these, and an export leaves them out.
/// </summary>
public static partial class PretixSeatingPlan
{
    private static readonly string[] RootProperties = ["name", "zones", "categories", "size"];
    private static readonly string[] ZoneProperties = ["name", "zone_id", "uuid", "position", "rows", "areas"];
    private static readonly string[] RowProperties = ["row_number", "row_label", "seat_label", "uuid", "seats", "row_number_position", "position"];
    private static readonly string[] SeatProperties = ["seat_guid", "seat_number", "uuid", "start_direction", "radius", "position", "category"];
    private static readonly string[] AreaProperties = ["color", "border_color", "rotation", "position", "uuid", "shape", "polygon", "rectangle", "ellipse", "circle", "text"];
    private static readonly string[] Shapes = ["polygon", "rectangle", "ellipse", "circle", "text"];

    /// <summary>How far apart an export spreads seats of a map made here (one unit per seat) so that pretix's 10-pixel seats do not overlap.</summary>
    private const double GridSpacing = 25;

    /// <summary>The seat map a pretix plan describes, or null with every problem found.</summary>
    public static (SeatMapDraft? Draft, PlanShapes? Shapes, string? Name) Read(JsonElement root, List<PlanProblem> problems)
    {
        var check = new Checker(problems);
        if (!check.Object(root, "$", RootProperties, ["zones", "name", "categories", "size"]))
        {
            return (null, null, null);
        }

        var name = check.String(root, "$", "name", required: true);
        double width = 0, height = 0;
        if (root.TryGetProperty("size", out var size) && check.Object(size, "$.size", ["width", "height"], ["width", "height"]))
        {
            width = check.Integer(size, "$.size", "width", required: true) ?? 0;
            height = check.Integer(size, "$.size", "height", required: true) ?? 0;
        }

        var zones = new List<ZoneDraft>();
        var zoneCodes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (category, path) in check.Array(root, "$", "categories"))
        {
            if (!check.Object(category, path, ["name", "color"], ["name"]))
            {
                continue;
            }

            var categoryName = check.String(category, path, "name", required: true);
            var colour = check.String(category, path, "color", required: false);
            if (categoryName is null)
            {
                continue;
            }

            if (zoneCodes.ContainsKey(categoryName))
            {
                problems.Add(new PlanProblem($"{path}.name", $"Category '{categoryName}' is listed twice."));
                continue;
            }

            if (colour is not null && HexColour(colour) is null)
            {
                problems.Add(new PlanProblem($"{path}.color", $"'{colour}' is not a colour this platform can keep; use #rgb or #rrggbb."));
            }

            var code = UniqueCode(categoryName, 20, zoneCodes.Values);
            zoneCodes.Add(categoryName, code);
            zones.Add(new ZoneDraft(code, categoryName.Length > 100 ? categoryName[..100] : categoryName, colour is null ? null : HexColour(colour), null));
        }

        var draft = new SeatMapDraft { Zones = zones };
        var planZones = new List<PlanZone>();
        var sectionCodes = new List<string>();
        foreach (var (zone, zonePath) in check.Array(root, "$", "zones"))
        {
            if (!check.Object(zone, zonePath, ZoneProperties, ["position", "rows"]))
            {
                continue;
            }

            var zoneName = check.String(zone, zonePath, "name", required: false);
            var zoneId = check.String(zone, zonePath, "zone_id", required: false);
            check.String(zone, zonePath, "uuid", required: false);
            var (zoneX, zoneY) = check.Position(zone, zonePath);
            var areas = new List<JsonNode?>();
            foreach (var (area, areaPath) in check.Array(zone, zonePath, "areas", required: false))
            {
                if (check.Area(area, areaPath))
                {
                    areas.Add(JsonNode.Parse(area.GetRawText()));
                }
            }

            var rows = check.Array(zone, zonePath, "rows").ToList();
            string? sectionCode = null;
            if (rows.Count > 0)
            {
                sectionCode = UniqueCode(zoneId is { } id && SectionCode().IsMatch(id) ? id : zoneName ?? $"Z{planZones.Count + 1}", 20, sectionCodes);
                sectionCodes.Add(sectionCode);
                var section = new SectionDraft(sectionCode, zoneName is { Length: > 100 } ? zoneName[..100] : zoneName, null);
                draft.Sections.Add(section);
                var rowNumbers = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (row, rowPath) in rows)
                {
                    ReadRow(check, row, rowPath, zoneX, zoneY, zoneCodes, rowNumbers, section, problems);
                }
            }

            planZones.Add(new PlanZone(sectionCode, zoneName, zoneId, zoneX, zoneY, areas));
        }

        if (problems.Count == 0 && draft.Sections.Count == 0)
        {
            problems.Add(new PlanProblem("$.zones", "The plan has no seats: at least one zone needs rows of seats."));
        }

        return problems.Count > 0 ? (null, null, name) : (draft, new PlanShapes(width, height, planZones), name);
    }

    private static void ReadRow(Checker check, JsonElement row, string rowPath, double zoneX, double zoneY, Dictionary<string, string> zoneCodes,
        HashSet<string> rowNumbers, SectionDraft section, List<PlanProblem> problems)
    {
        if (!check.Object(row, rowPath, RowProperties, ["seats", "row_number"]))
        {
            return;
        }

        var rowNumber = check.String(row, rowPath, "row_number", required: true);
        check.String(row, rowPath, "row_label", required: false, nullable: true);
        check.String(row, rowPath, "seat_label", required: false, nullable: true);
        check.String(row, rowPath, "uuid", required: false);
        if (row.TryGetProperty("row_number_position", out var numberPosition)
            && numberPosition.ValueKind != JsonValueKind.Null
            && !(numberPosition.ValueKind == JsonValueKind.String && (numberPosition.ValueEquals("start") || numberPosition.ValueEquals("end") || numberPosition.ValueEquals("both"))))
        {
            problems.Add(new PlanProblem($"{rowPath}.row_number_position", "row_number_position is \"start\", \"end\", \"both\" or null."));
        }

        var (rowX, rowY) = check.Position(row, rowPath);
        if (rowNumber is not null && !Label().IsMatch(rowNumber))
        {
            problems.Add(new PlanProblem($"{rowPath}.row_number", $"Row number '{rowNumber}' must be 1 to 10 letters, digits or '_': it becomes part of each seat's id."));
        }
        else if (rowNumber is not null && !rowNumbers.Add(rowNumber))
        {
            problems.Add(new PlanProblem($"{rowPath}.row_number", $"Row '{rowNumber}' appears twice in this zone."));
        }

        var draftRow = new RowDraft(rowNumber ?? "", null, null);
        section.Rows.Add(draftRow);
        var seatNumbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (seat, seatPath) in check.Array(row, rowPath, "seats"))
        {
            if (!check.Object(seat, seatPath, SeatProperties, ["seat_guid", "seat_number", "position", "category"]))
            {
                continue;
            }

            check.String(seat, seatPath, "seat_guid", required: true);
            var number = check.String(seat, seatPath, "seat_number", required: true);
            check.String(seat, seatPath, "uuid", required: false);
            check.String(seat, seatPath, "start_direction", required: false, nullable: true);
            check.Integer(seat, seatPath, "radius", required: false);
            var (x, y) = check.Position(seat, seatPath);
            var category = check.String(seat, seatPath, "category", required: true);
            if (number is not null && !Label().IsMatch(number))
            {
                problems.Add(new PlanProblem($"{seatPath}.seat_number", $"Seat number '{number}' must be 1 to 10 letters, digits or '_': it becomes part of the seat's id."));
            }
            else if (number is not null && !seatNumbers.Add(number))
            {
                problems.Add(new PlanProblem($"{seatPath}.seat_number", $"Seat '{number}' appears twice in row '{rowNumber}'."));
            }

            if (category is not null && !zoneCodes.ContainsKey(category))
            {
                problems.Add(new PlanProblem($"{seatPath}.category", $"Category '{category}' is not one of the plan's categories."));
            }

            draftRow.Seats.Add(new SeatDraft(number ?? "", category is not null && zoneCodes.TryGetValue(category, out var code) ? code : "",
                Accessible: false, Companion: false, Blocked: false, zoneX + rowX + x, zoneY + rowY + y, null));
        }
    }

    /// <summary>The seat map as a pretix plan; <paramref name="shapes"/> (kept from an import) gives back the zones' shapes and positions.</summary>
    public static JsonObject Write(string name, SeatMapLayout layout, PlanShapes? shapes)
    {
        var scale = shapes is null ? GridSpacing : 1;
        var categoryNames = layout.Zones.GroupBy(z => z.Name).SelectMany(g => g.Count() == 1 ? g.Select(z => (z.Code, Name: z.Name)) : g.Select(z => (z.Code, Name: z.Code)))
            .ToDictionary(z => z.Code, z => z.Name, StringComparer.Ordinal);
        var sections = layout.Sections.ToDictionary(s => s.Code, StringComparer.Ordinal);
        var planZones = (shapes?.Zones ?? []).ToList();
        planZones.AddRange(layout.Sections.Where(s => planZones.All(z => z.Section != s.Code)).Select(s => new PlanZone(s.Code, s.Name, s.Code, 0, 0, [])));

        var zones = new JsonArray();
        foreach (var zone in planZones)
        {
            var rows = new JsonArray();
            if (zone.Section is not null && sections.TryGetValue(zone.Section, out var section))
            {
                foreach (var row in section.Rows)
                {
                    rows.Add(new JsonObject
                    {
                        ["row_number"] = row.Label,
                        ["position"] = Position(0, 0),
                        ["seats"] = new JsonArray([.. row.Seats.Select(seat => (JsonNode)new JsonObject
                        {
                            ["seat_guid"] = SeatMapRules.SeatId(section.Code, row.Label, seat.Number),
                            ["seat_number"] = seat.Number,
                            ["position"] = Position(seat.X * scale - zone.X, seat.Y * scale - zone.Y),
                            ["category"] = categoryNames[seat.Zone],
                        })]),
                    });
                }
            }

            var written = new JsonObject();
            if ((zone.Section is not null && sections.TryGetValue(zone.Section, out var named) ? named.Name : zone.Name) is { } zoneName)
            {
                written["name"] = zoneName;
            }

            if ((zone.ZoneId ?? zone.Section) is { } zoneId)
            {
                written["zone_id"] = zoneId;
            }

            written["position"] = Position(zone.X, zone.Y);
            written["rows"] = rows;
            written["areas"] = new JsonArray([.. zone.Areas.Select(a => a?.DeepClone())]);
            zones.Add(written);
        }

        var seats = layout.Sections.SelectMany(s => s.Rows).SelectMany(r => r.Seats).ToList();
        return new JsonObject
        {
            ["name"] = name,
            ["categories"] = new JsonArray([.. layout.Zones.Select(z => (JsonNode)new JsonObject { ["name"] = categoryNames[z.Code], ["color"] = z.Colour })]),
            ["zones"] = zones,
            ["size"] = new JsonObject
            {
                ["width"] = shapes is { Width: > 0 } ? (long)shapes.Width : (long)Math.Ceiling(seats.Max(s => s.X) * scale + 2 * GridSpacing),
                ["height"] = shapes is { Height: > 0 } ? (long)shapes.Height : (long)Math.Ceiling(seats.Max(s => s.Y) * scale + 2 * GridSpacing),
            },
        };
    }

    private static JsonObject Position(double x, double y) => new() { ["x"] = Number(x), ["y"] = Number(y) };

    /// <summary>Whole numbers as integers, so that a plan pretix wrote with integer positions comes back as it was.</summary>
    private static JsonNode Number(double value) => Math.Abs(value - Math.Round(value)) < 1e-9 && Math.Abs(value) < 1e15
        ? JsonValue.Create((long)Math.Round(value))
        : JsonValue.Create(value);

    private static string? HexColour(string colour) => colour switch
    {
        _ when LongColour().IsMatch(colour) => colour.ToLowerInvariant(),
        _ when ShortColour().IsMatch(colour) => string.Create(CultureInfo.InvariantCulture, $"#{colour[1]}{colour[1]}{colour[2]}{colour[2]}{colour[3]}{colour[3]}").ToLowerInvariant(),
        _ => null,
    };

    /// <summary>A code of letters, digits and '_' made from a pretix name ("Price level 1" → <c>Price_level_1</c>), unique among <paramref name="taken"/>.</summary>
    private static string UniqueCode(string name, int maximumLength, IEnumerable<string> taken)
    {
        var code = new StringBuilder();
        foreach (var c in name.Trim())
        {
            code.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var stem = code.Length == 0 ? "Z" : code.ToString()[..Math.Min(code.Length, maximumLength)];
        var used = taken.ToHashSet(StringComparer.Ordinal);
        var candidate = stem;
        for (var n = 2; used.Contains(candidate); n++)
        {
            var suffix = string.Create(CultureInfo.InvariantCulture, $"_{n}");
            candidate = stem[..Math.Min(stem.Length, maximumLength - suffix.Length)] + suffix;
        }

        return candidate;
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,10}$")]
    private static partial Regex Label();

    [GeneratedRegex("^[A-Za-z0-9_]{1,20}$")]
    private static partial Regex SectionCode();

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex LongColour();

    [GeneratedRegex("^#[0-9A-Fa-f]{3}$")]
    private static partial Regex ShortColour();

    /// <summary>The schema's type rules, each failure recorded with its path.</summary>
    private sealed class Checker(List<PlanProblem> problems)
    {
        public bool Object(JsonElement element, string path, string[] allowed, string[] required)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new PlanProblem(path, "Expected an object."));
                return false;
            }

            foreach (var property in element.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
            {
                problems.Add(new PlanProblem($"{path}.{property.Name}", $"'{property.Name}' is not part of a pretix seating plan here ({string.Join(", ", allowed)})."));
            }

            foreach (var name in required.Where(name => !element.TryGetProperty(name, out _)))
            {
                problems.Add(new PlanProblem($"{path}.{name}", $"'{name}' is required."));
            }

            return true;
        }

        public string? String(JsonElement parent, string path, string name, bool required, bool nullable = false)
        {
            if (!parent.TryGetProperty(name, out var value) || (nullable && value.ValueKind == JsonValueKind.Null))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                problems.Add(new PlanProblem($"{path}.{name}", nullable ? "Expected a string or null." : "Expected a string."));
                return null;
            }

            string text;
            try
            {
                text = value.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate escape ("\ud800") or bytes that are not UTF-8: JSON carries them, .NET strings cannot.
                problems.Add(new PlanProblem($"{path}.{name}", "Not valid Unicode text."));
                return null;
            }

            if (TextInput.Problem(text) is { } refused)
            {
                problems.Add(new PlanProblem($"{path}.{name}", refused));
                return null;
            }

            if (required && string.IsNullOrWhiteSpace(text))
            {
                problems.Add(new PlanProblem($"{path}.{name}", $"'{name}' cannot be empty."));
                return null;
            }

            return text;
        }

        public double? Integer(JsonElement parent, string path, string name, bool required)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var integer))
            {
                problems.Add(new PlanProblem($"{path}.{name}", "Expected an integer."));
                return null;
            }

            if (required && integer < 0)
            {
                problems.Add(new PlanProblem($"{path}.{name}", "Expected a size of 0 or more."));
            }

            return integer;
        }

        public double? Number(JsonElement parent, string path, string name)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !double.IsFinite(value.GetDouble()))
            {
                problems.Add(new PlanProblem($"{path}.{name}", "Expected a number."));
                return null;
            }

            return value.GetDouble();
        }

        public (double X, double Y) Position(JsonElement parent, string path)
        {
            if (!parent.TryGetProperty("position", out var position))
            {
                return (0, 0);
            }

            var at = $"{path}.position";
            return Object(position, at, ["x", "y"], ["x", "y"]) ? (Number(position, at, "x") ?? 0, Number(position, at, "y") ?? 0) : (0, 0);
        }

        public IEnumerable<(JsonElement Element, string Path)> Array(JsonElement parent, string path, string name, bool required = true)
        {
            if (!parent.TryGetProperty(name, out var array))
            {
                return [];
            }

            if (array.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new PlanProblem($"{path}.{name}", "Expected an array."));
                return [];
            }

            return array.EnumerateArray().Select((item, i) => (item, string.Create(CultureInfo.InvariantCulture, $"{path}.{name}[{i}]"))).ToList();
        }

        public bool Area(JsonElement area, string path)
        {
            var before = problems.Count;
            if (!Object(area, path, AreaProperties, []))
            {
                return false;
            }

            String(area, path, "color", required: false);
            String(area, path, "border_color", required: false);
            String(area, path, "uuid", required: false);
            Number(area, path, "rotation");
            Position(area, path);
            if (String(area, path, "shape", required: false) is { } shape && !Shapes.Contains(shape))
            {
                problems.Add(new PlanProblem($"{path}.shape", $"shape is one of {string.Join(", ", Shapes)}."));
            }

            if (area.TryGetProperty("polygon", out var polygon) && Object(polygon, $"{path}.polygon", ["points"], ["points"]))
            {
                foreach (var (point, pointPath) in Array(polygon, $"{path}.polygon", "points"))
                {
                    if (Object(point, pointPath, ["x", "y"], ["x", "y"]))
                    {
                        Number(point, pointPath, "x");
                        Number(point, pointPath, "y");
                    }
                }
            }

            if (area.TryGetProperty("rectangle", out var rectangle) && Object(rectangle, $"{path}.rectangle", ["width", "height"], ["width", "height"]))
            {
                Integer(rectangle, $"{path}.rectangle", "width", required: true);
                Integer(rectangle, $"{path}.rectangle", "height", required: true);
            }

            if (area.TryGetProperty("ellipse", out var ellipse) && Object(ellipse, $"{path}.ellipse", ["radius"], ["radius"]) && ellipse.TryGetProperty("radius", out var radius))
            {
                var at = $"{path}.ellipse.radius";
                if (Object(radius, at, ["x", "y"], ["x", "y"]))
                {
                    Number(radius, at, "x");
                    Number(radius, at, "y");
                }
            }

            if (area.TryGetProperty("circle", out var circle) && Object(circle, $"{path}.circle", ["radius"], ["radius"]))
            {
                Integer(circle, $"{path}.circle", "radius", required: true);
            }

            if (area.TryGetProperty("text", out var text) && Object(text, $"{path}.text", ["text", "color", "size", "position"], ["text", "position"]))
            {
                String(text, $"{path}.text", "text", required: false);
                String(text, $"{path}.text", "color", required: false);
                Integer(text, $"{path}.text", "size", required: false);
                Position(text, $"{path}.text");
            }

            return problems.Count == before;
        }
    }
}
