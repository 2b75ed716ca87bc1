using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.Host.Tests.Fuzz;

/// <summary>One malformed request body: what was done to it, its bytes and the content type it is sent with (null: none).</summary>
public sealed record BadBody(string Name, byte[] Bytes, string? ContentType)
{
    public override string ToString() => Name;
}

/// <summary>
/// Makes bad bodies out of a good one (an operation's example from the OpenAPI document): every property replaced by a
/// value of the wrong type, by null, by text with control characters, a lone surrogate or invalid UTF-8, by a huge string
/// or array, numbers out of range, nulls inside arrays; and, for the body as a whole, deep nesting, truncation, other JSON
/// kinds, an oversized body and wrong content types. The bytes are written by hand where a serializer would refuse to.
/// </summary>
public static class BadBodies
{
    /// <summary>More than any route accepts, and more than the cap on JSON bodies.</summary>
    public const int HugeStringLength = 2 * 1024 * 1024;

    private const int MaxPaths = 24;

    /// <summary>Mutations of each property of <paramref name="example"/> plus the whole-body ones.</summary>
    public static IEnumerable<BadBody> For(JsonNode example)
    {
        foreach (var body in PerProperty(example))
        {
            yield return body;
        }

        foreach (var body in WholeBody(example))
        {
            yield return body;
        }
    }

    /// <summary>What is wrong with the body as a whole, whatever its properties (also sent by callers other than the owner).</summary>
    public static IEnumerable<BadBody> WholeBody(JsonNode example)
    {
        var json = example.ToJsonString();
        yield return Json("deep nesting", new string('[', 10_000) + new string(']', 10_000));
        yield return Json("truncated", json[..Math.Max(1, json.Length / 2)]);
        yield return Json("empty body", "");
        yield return Json("the JSON null", "null");
        yield return Json("an array instead of an object", "[]");
        yield return Json("a string instead of an object", "\"text\"");
        yield return Json("trailing garbage", json + "}}");
        yield return Json("an unknown property", WithExtraProperty(example));
        yield return new BadBody("invalid UTF-8 bytes in a string", InvalidUtf8(example), "application/json");
        yield return new BadBody("a body of 12 MB", Encoding.UTF8.GetBytes($$"""{"padding":"{{new string('x', 12 * 1024 * 1024)}}"}"""), "application/json");
        yield return new BadBody("text/plain", Encoding.UTF8.GetBytes(json), "text/plain");
        yield return new BadBody("application/xml", Encoding.UTF8.GetBytes("<body>1</body>"), "application/xml");
        yield return new BadBody("no content type", Encoding.UTF8.GetBytes(json), null);
    }

    /// <summary>Bad CSV: control characters in a field, bytes that are not UTF-8 (among them an encoded surrogate), a huge body.</summary>
    public static IEnumerable<BadBody> ForCsv(string example)
    {
        var lines = example.Split('\n');
        var header = lines[0];
        var first = lines.Length > 1 ? lines[1] : "";
        yield return Csv("a NUL character in a field", $"{header}\n{first.Replace(",", "\u0000,", StringComparison.Ordinal)}\n");
        yield return Csv("control characters in a field", $"{header}\n\u0007{first}\u001b\n");
        yield return new BadBody("invalid UTF-8 bytes in CSV", [.. Encoding.UTF8.GetBytes($"{header}\n"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(first)], "text/csv");
        yield return new BadBody("an encoded lone surrogate in CSV", [.. Encoding.UTF8.GetBytes($"{header}\n"), 0xED, 0xA0, 0x80, .. Encoding.UTF8.GetBytes(first)], "text/csv");
        yield return Csv("only a header", header);
        yield return Csv("no header", first);
        yield return Csv("a huge field", $"{header}\n{new string('S', HugeStringLength)},{first}\n");
    }

    private static BadBody Csv(string name, string text) => new(name, Encoding.UTF8.GetBytes(text), "text/csv");

    private static IEnumerable<BadBody> PerProperty(JsonNode example)
    {
        foreach (var (path, value) in Leaves(example, "$").Take(MaxPaths))
        {
            foreach (var (what, replacement) in Replacements(value))
            {
                var mutated = example.DeepClone();
                yield return Json($"{path}: {what}", Replace(mutated, path, replacement));
            }
        }
    }

    /// <summary>Raw JSON values to put where <paramref name="value"/> was, each with a name.</summary>
    private static IEnumerable<(string What, string Json)> Replacements(JsonNode? value)
    {
        yield return ("null", "null");
        switch (value?.GetValueKind())
        {
            case JsonValueKind.String:
                yield return ("a number instead of text", "12345");
                yield return ("an object instead of text", """{"a":1}""");
                yield return ("a NUL character", "\"a\\u0000b\"");
                yield return ("control characters", "\"bell\\u0007escape\\u001b\"");
                yield return ("a lone high surrogate", "\"x\\ud800y\"");
                yield return ("a lone low surrogate", "\"\\udc00\"");
                yield return ("a huge string", $"\"{new string('a', HugeStringLength)}\"");
                yield return ("an empty string", "\"\"");
                break;
            case JsonValueKind.Number:
                yield return ("text instead of a number", "\"many\"");
                yield return ("a number beyond double", "1e400");
                yield return ("a number beyond long", "9223372036854775808");
                yield return ("a number beyond int", "2147483648");
                yield return ("a negative number", "-1");
                yield return ("a fraction", "1.5");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                yield return ("text instead of a boolean", "\"yes\"");
                yield return ("a number instead of a boolean", "1");
                break;
            case JsonValueKind.Array:
                yield return ("an object instead of an array", """{"a":1}""");
                yield return ("a null element", "[null]");
                yield return ("null elements beside a good one", $"[{(value!.AsArray().FirstOrDefault()?.ToJsonString() ?? "1")},null,null]");
                var element = value!.AsArray().FirstOrDefault()?.ToJsonString() ?? "1";
                yield return ("a huge array", $"[{string.Join(',', Enumerable.Repeat(element, Math.Clamp(HugeStringLength / element.Length, 1_000, 100_000)))}]");
                yield return ("an array of wrong types", "[1,true,{}]");
                break;
            case JsonValueKind.Object:
                yield return ("text instead of an object", "\"text\"");
                yield return ("an array instead of an object", "[]");
                yield return ("an empty object", "{}");
                break;
        }
    }

    /// <summary>Every value in the document with its path (<c>$.a.b[0]</c>), parents before children.</summary>
    private static IEnumerable<(string Path, JsonNode? Value)> Leaves(JsonNode? node, string path)
    {
        if (path != "$")
        {
            yield return (path, node);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var leaf in Leaves(child, $"{path}.{name}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray { Count: > 0 } array:
                foreach (var leaf in Leaves(array[0], $"{path}[0]"))
                {
                    yield return leaf;
                }

                break;
        }
    }

    /// <summary>The document with the value at <paramref name="path"/> replaced by raw JSON (written as text: the replacement may be invalid).</summary>
    private static string Replace(JsonNode document, string path, string rawJson)
    {
        const string Marker = "\"__fuzz_marker__\"";
        var steps = path[1..].Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var parent = document;
        for (var i = 0; i < steps.Length - 1; i++)
        {
            parent = Step(parent, steps[i]);
        }

        var last = steps[^1];
        if (last.StartsWith('['))
        {
            parent.AsArray()[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = JsonValue.Create("__fuzz_marker__");
        }
        else
        {
            parent.AsObject()[last] = JsonValue.Create("__fuzz_marker__");
        }

        return document.ToJsonString().Replace(Marker, rawJson, StringComparison.Ordinal);
    }

    private static JsonNode Step(JsonNode node, string step) =>
        step.StartsWith('[') ? node.AsArray()[int.Parse(step[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node.AsObject()[step]!;

    private static string WithExtraProperty(JsonNode example)
    {
        if (example is not JsonObject)
        {
            return example.ToJsonString();
        }

        var copy = example.DeepClone().AsObject();
        copy["notAPropertyOfThisOperation"] = "surprise";
        return copy.ToJsonString();
    }

    /// <summary>The example with its first string's value replaced by bytes that are not UTF-8 (0xC3 0x28, 0xFF).</summary>
    private static byte[] InvalidUtf8(JsonNode example)
    {
        var firstString = Leaves(example, "$").FirstOrDefault(l => l.Value?.GetValueKind() == JsonValueKind.String).Path;
        // Without a string to spoil, the bytes go where the reader must look at them: before the body.
        var text = firstString is null ? "__fuzz_marker__" + example.ToJsonString() : Replace(example.DeepClone(), firstString, "\"__fuzz_marker__\"");
        var bytes = Encoding.UTF8.GetBytes(text);
        var marker = Encoding.UTF8.GetBytes("__fuzz_marker__");
        var at = bytes.AsSpan().IndexOf(marker);
        return [.. bytes[..at], 0xC3, 0x28, 0xFF, (byte)'a', .. bytes[(at + marker.Length)..]];
    }

    private static BadBody Json(string name, string json) => new(name, Encoding.UTF8.GetBytes(json), "application/json");
}
