using System.Globalization;
using System.Text;
using System.Text.Json;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.Catalog.Domain;

/// <summary>
/// Seat maps in JSON, read with the line of every value so that errors point into the body as they do for CSV.
/// Two shapes: the seat map document (<c>name</c>, <c>priceZones</c>, <c>sections</c> → <c>rows</c> → <c>seats</c>) and the flat
/// import (an array of records with the CSV's columns as properties, or <c>{ "priceZones": [...], "seats": [...] }</c>).
/// </summary>
public static class SeatMapJson
{
    private static readonly string[] ZoneProperties = ["code", "name", "colour"];
    private static readonly string[] SeatRecordProperties = SeatMapCsv.Header.Split(',');

    /// <summary>The seat map document; <paramref name="name"/> is its required <c>name</c>.</summary>
    public static SeatMapDraft? ParseDocument(ReadOnlySpan<byte> utf8, SeatMapErrors errors, out string? name)
    {
        name = null;
        if (JsonLines.Parse(utf8, errors) is not { } root)
        {
            return null;
        }

        var map = new JsonFields(root, errors, "The seat map", "name", "priceZones", "sections");
        if (!map.IsObject)
        {
            return null;
        }

        name = map.Text("name", required: true);
        if (name is { Length: > 200 } || name?.Trim().Length == 0)
        {
            errors.Add(map.LineOf("name"), "name", "A seat map's name is 1 to 200 characters.");
        }

        var draft = new SeatMapDraft { Zones = Zones(map, errors) };
        foreach (var sectionNode in map.Array("sections", required: true) ?? [])
        {
            var section = new JsonFields(sectionNode, errors, "A section", "code", "name", "rows");
            var (code, sectionName, rows) = (section.Text("code", required: true), section.Text("name"), section.Array("rows", required: true));
            if (!section.Valid)
            {
                continue;
            }

            var sectionDraft = new SectionDraft(code!, sectionName, section.Line);
            draft.Sections.Add(sectionDraft);
            foreach (var rowNode in rows!)
            {
                var row = new JsonFields(rowNode, errors, "A row", "label", "index", "seats");
                var (label, index, seats) = (row.Text("label", required: true), row.WholeNumber("index"), row.Array("seats", required: true));
                if (!row.Valid)
                {
                    continue;
                }

                var rowDraft = new RowDraft(label!, index, row.Line);
                sectionDraft.Rows.Add(rowDraft);
                foreach (var seatNode in seats!)
                {
                    var seat = new JsonFields(seatNode, errors, "A seat", "number", "zone", "accessible", "companion", "blocked", "x", "y");
                    var draftSeat = new SeatDraft(seat.Text("number", required: true)!, seat.Text("zone", required: true)!,
                        seat.Flag("accessible"), seat.Flag("companion"), seat.Flag("blocked"), seat.Number("x"), seat.Number("y"), seat.Line);
                    if (seat.Valid)
                    {
                        rowDraft.Seats.Add(draftSeat);
                    }
                }
            }
        }

        return draft;
    }

    /// <summary>The flat import: seat records and, when given, the price zones.</summary>
    public static SeatMapDraft? ParseRecords(ReadOnlySpan<byte> utf8, SeatMapErrors errors)
    {
        if (JsonLines.Parse(utf8, errors) is not { } root)
        {
            return null;
        }

        List<ZoneDraft>? zones = null;
        var items = root.Items;
        if (root.Kind == JsonValueKind.Object)
        {
            var import = new JsonFields(root, errors, "The import", "priceZones", "seats");
            zones = Zones(import, errors);
            items = import.Array("seats", required: true);
        }
        else if (root.Kind != JsonValueKind.Array)
        {
            errors.Add(root.Line, null, "The import is an array of seats, or an object with priceZones and seats.");
        }

        var records = new List<SeatRecord>();
        foreach (var item in items ?? [])
        {
            var seat = new JsonFields(item, errors, "A seat", SeatRecordProperties);
            var record = new SeatRecord(seat.Text("section", required: true)!, seat.Text("row", required: true)!, seat.Text("seat", required: true)!,
                seat.Text("zone", required: true)!, seat.Flag("accessible"), seat.Flag("companion"), seat.Flag("blocked"), seat.Number("x"), seat.Number("y"), seat.Line);
            if (seat.Valid)
            {
                records.Add(record);
            }
        }

        return SeatMapDraft.FromRecords(records, zones);
    }

    private static List<ZoneDraft>? Zones(JsonFields parent, SeatMapErrors errors)
    {
        if (parent.Array("priceZones") is not { } nodes)
        {
            return null;
        }

        var zones = new List<ZoneDraft>();
        foreach (var node in nodes)
        {
            var zone = new JsonFields(node, errors, "A price zone", ZoneProperties);
            var draft = new ZoneDraft(zone.Text("code", required: true)!, zone.Text("name"), zone.Text("colour"), zone.Line);
            if (zone.Valid)
            {
                zones.Add(draft);
            }
        }

        return zones;
    }
}

/// <summary>A JSON value and the line it starts on.</summary>
public sealed class JsonLineNode
{
    public JsonValueKind Kind { get; init; }
    public int Line { get; init; }

    /// <summary>A string's value, or a number's text.</summary>
    public string? Value { get; init; }

    public List<KeyValuePair<string, JsonLineNode>>? Properties { get; init; }
    public List<JsonLineNode>? Items { get; init; }
}

/// <summary>A small JSON reader that keeps line numbers, which <see cref="JsonDocument"/> does not.</summary>
public static class JsonLines
{
    public static JsonLineNode? Parse(ReadOnlySpan<byte> utf8, SeatMapErrors errors)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        var newlines = new List<int>();
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                newlines.Add(i);
            }
        }

        if (TextInput.IndexOfInvalidUtf8(utf8) is var invalid and >= 0)
        {
            errors.Add(LineOf(newlines, invalid), null, "The body is not valid UTF-8 text.");
            return null;
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        try
        {
            if (!reader.Read())
            {
                errors.Add(1, null, "The body is empty.");
                return null;
            }

            var root = Read(ref reader, newlines);
            reader.Read(); // throws on anything but whitespace after the value
            return root;
        }
        catch (BadText bad)
        {
            errors.Add(bad.Line, null, bad.Message);
            return null;
        }
        catch (JsonException ex)
        {
            errors.Add((int)(ex.LineNumber ?? 0) + 1, null, "The body is not valid JSON: " + ex.Message);
            return null;
        }
    }

    private static int LineOf(List<int> newlines, int offset)
    {
        var search = newlines.BinarySearch(offset);
        return (search < 0 ? ~search : search) + 1;
    }

    /// <summary>A string of the body that is not acceptable text (a lone surrogate, a control character), on its line.</summary>
    private sealed class BadText(int line, string message) : Exception(message)
    {
        public int Line { get; } = line;
    }

    private static string Text(ref Utf8JsonReader reader, int line)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new BadText(line, "A string is not valid Unicode text (it has a lone surrogate).");
        }

        return TextInput.Problem(text) is { } problem ? throw new BadText(line, $"A string {problem}.") : text;
    }

    private static JsonLineNode Read(ref Utf8JsonReader reader, List<int> newlines)
    {
        var search = newlines.BinarySearch((int)reader.TokenStartIndex);
        var line = (search < 0 ? ~search : search) + 1;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<KeyValuePair<string, JsonLineNode>>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = Text(ref reader, line);
                    reader.Read();
                    properties.Add(new(name, Read(ref reader, newlines)));
                }

                return new JsonLineNode { Kind = JsonValueKind.Object, Line = line, Properties = properties };
            case JsonTokenType.StartArray:
                var items = new List<JsonLineNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(Read(ref reader, newlines));
                }

                return new JsonLineNode { Kind = JsonValueKind.Array, Line = line, Items = items };
            case JsonTokenType.String:
                return new JsonLineNode { Kind = JsonValueKind.String, Line = line, Value = Text(ref reader, line) };
            case JsonTokenType.Number:
                return new JsonLineNode { Kind = JsonValueKind.Number, Line = line, Value = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
                return new JsonLineNode { Kind = JsonValueKind.True, Line = line };
            case JsonTokenType.False:
                return new JsonLineNode { Kind = JsonValueKind.False, Line = line };
            default:
                return new JsonLineNode { Kind = JsonValueKind.Null, Line = line };
        }
    }
}

/// <summary>
/// Reads the properties of one JSON object, reporting what is missing, unknown or of the wrong type at its line;
/// <see cref="Valid"/> says whether the object can be used.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonLineNode _node;
    private readonly SeatMapErrors _errors;
    private readonly Dictionary<string, JsonLineNode> _properties = new(StringComparer.Ordinal);

    public JsonFields(JsonLineNode node, SeatMapErrors errors, string what, params string[] allowed)
    {
        _node = node;
        _errors = errors;
        if (node.Kind != JsonValueKind.Object)
        {
            Fail(node.Line, null, $"{what} must be an object with {string.Join(", ", allowed)}.");
            return;
        }

        IsObject = true;
        foreach (var (name, value) in node.Properties!)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Fail(value.Line, name, $"Unknown property '{name}'; {what.ToLowerInvariant()} has {string.Join(", ", allowed)}.");
            }
            else if (!_properties.TryAdd(name, value))
            {
                Fail(value.Line, name, $"Property '{name}' appears twice.");
            }
        }
    }

    public bool IsObject { get; }

    public bool Valid { get; private set; } = true;

    public int Line => _node.Line;

    public int LineOf(string name) => _properties.TryGetValue(name, out var value) ? value.Line : Line;

    /// <summary>A string (a number is taken as its text: <c>"seat": 12</c> is seat "12").</summary>
    public string? Text(string name, bool required = false)
    {
        switch (Value(name))
        {
            case null:
                if (required)
                {
                    Fail(Line, name, $"{name} is required.");
                }

                return required ? "" : null;
            case { Kind: JsonValueKind.String or JsonValueKind.Number } value:
                return value.Value!.Trim();
            case var value:
                Fail(value.Line, name, $"{name} must be a string.");
                return required ? "" : null;
        }
    }

    public bool Flag(string name)
    {
        switch (Value(name))
        {
            case null or { Kind: JsonValueKind.False }:
                return false;
            case { Kind: JsonValueKind.True }:
                return true;
            case var value:
                Fail(value.Line, name, $"{name} must be true or false.");
                return false;
        }
    }

    public double? Number(string name)
    {
        switch (Value(name))
        {
            case null:
                return null;
            case { Kind: JsonValueKind.Number } value when double.TryParse(value.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                return number;
            case var value:
                Fail(value.Line, name, $"{name} must be a number.");
                return null;
        }
    }

    public int? WholeNumber(string name)
    {
        switch (Value(name))
        {
            case null:
                return null;
            case { Kind: JsonValueKind.Number } value when int.TryParse(value.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number):
                return number;
            case var value:
                Fail(value.Line, name, $"{name} must be a whole number.");
                return null;
        }
    }

    public List<JsonLineNode>? Array(string name, bool required = false)
    {
        switch (Value(name))
        {
            case null:
                if (required)
                {
                    Fail(Line, name, $"{name} is required.");
                }

                return null;
            case { Kind: JsonValueKind.Array } value:
                return value.Items;
            case var value:
                Fail(value.Line, name, $"{name} must be an array.");
                return null;
        }
    }

    private JsonLineNode? Value(string name) =>
        _properties.TryGetValue(name, out var value) && value.Kind != JsonValueKind.Null ? value : null;

    private void Fail(int line, string? column, string message)
    {
        Valid = false;
        _errors.Add(line, column, message);
    }
}
