using System.Globalization;
using System.Text;

namespace TicketToken.Catalog.Domain;

/// <summary>
/// The CSV seat map format (RFC 4180: comma-separated, fields may be quoted with "..."). The first line is the header
/// <c>section,row,seat,zone,accessible,companion,blocked,x,y</c>; columns may come in any order, and the last five may be
/// left out. One line per seat: section code, row label, seat number, price zone code, three flags (true/false, 1/0 or
/// yes/no; empty is false) and the seat's drawing coordinates (empty everywhere: the seats are laid out on a grid).
/// Rows take their order from the stage, and seats their order along the row, from the order of the lines.
/// </summary>
public static class SeatMapCsv
{
    public const string Header = "section,row,seat,zone,accessible,companion,blocked,x,y";

    private static readonly string[] Required = ["section", "row", "seat", "zone"];
    private static readonly string[] Known = Header.Split(',');

    public static List<SeatRecord> Parse(string text, SeatMapErrors errors)
    {
        var records = new List<SeatRecord>();
        var lines = Split(text.TrimStart('\uFEFF'), errors).Where(l => l.Fields is not [var only] || only.Trim().Length > 0).ToList();
        if (lines.Count == 0)
        {
            errors.Add(1, null, $"The body is empty; the first line must be the header {Header}.");
            return records;
        }

        var (headerLine, header) = lines[0];
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, i) in header.Select((name, i) => (name.Trim().ToLowerInvariant(), i)))
        {
            if (!Known.Contains(name))
            {
                errors.Add(headerLine, name, $"Unknown column '{name}'; the header is {Header}.");
            }
            else if (!columns.TryAdd(name, i))
            {
                errors.Add(headerLine, name, $"Column '{name}' appears twice in the header.");
            }
        }

        foreach (var missing in Required.Where(c => !columns.ContainsKey(c)))
        {
            errors.Add(headerLine, missing, $"The header has no '{missing}' column; the first line must be the header {Header}.");
        }

        if (errors.Count > 0)
        {
            return records;
        }

        foreach (var (line, fields) in lines.Skip(1))
        {
            if (fields.Count != header.Count)
            {
                errors.Add(line, null, $"The line has {fields.Count} field(s); the header has {header.Count}.");
                continue;
            }

            var before = errors.Count;
            string Text(string column) => columns.TryGetValue(column, out var i) ? fields[i].Trim() : "";
            string RequiredText(string column)
            {
                var value = Text(column);
                if (value.Length == 0)
                {
                    errors.Add(line, column, $"{column} is required.");
                }

                return value;
            }

            bool Flag(string column)
            {
                var value = Text(column);
                var flag = ParseFlag(value);
                if (flag is null)
                {
                    errors.Add(line, column, $"'{value}' is not a yes/no value; use true/false, 1/0 or yes/no.");
                }

                return flag ?? false;
            }

            double? Number(string column)
            {
                var value = Text(column);
                if (value.Length == 0)
                {
                    return null;
                }

                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    return number;
                }

                errors.Add(line, column, $"'{value}' is not a number.");
                return null;
            }

            var record = new SeatRecord(RequiredText("section"), RequiredText("row"), RequiredText("seat"), RequiredText("zone"),
                Flag("accessible"), Flag("companion"), Flag("blocked"), Number("x"), Number("y"), line);
            if (errors.Count == before)
            {
                records.Add(record);
            }
        }

        return records;
    }

    public static bool? ParseFlag(string value) => value.ToLowerInvariant() switch
    {
        "" or "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        _ => null,
    };

    /// <summary>The records of the text, each with the line it starts on (a quoted field may span lines).</summary>
    private static List<(int Line, List<string> Fields)> Split(string text, SeatMapErrors errors)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.ToString().Trim().Length == 0:
                    field.Clear();
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    records.Add((recordLine, fields));
                    fields = [];
                    recordLine = ++line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            errors.Add(recordLine, null, "A quoted field is not closed.");
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }

        return records;
    }
}
