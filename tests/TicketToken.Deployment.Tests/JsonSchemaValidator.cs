using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TicketToken.Deployment.Tests;

/// <summary>
/// The part of JSON Schema (draft-07) that values.schema.json uses: type, properties, required,
/// additionalProperties, propertyNames, minProperties, enum, const, not, pattern, minLength, minimum, maximum,
/// items, minItems and local $ref. Anything else in the schema is reported, so the schema cannot silently outgrow it.
/// </summary>
internal sealed class JsonSchemaValidator(JsonObject root)
{
    public JsonObject Root => root;

    private static readonly HashSet<string> Understood =
    [
        "$schema", "title", "description", "type", "properties", "required", "additionalProperties", "propertyNames",
        "minProperties", "enum", "const", "not", "pattern", "minLength", "minimum", "maximum", "items", "minItems", "$ref", "definitions",
    ];

    public IReadOnlyList<string> Validate(JsonNode? value)
    {
        var errors = new List<string>();
        Check(root, value, "$", errors);
        return errors;
    }

    public IReadOnlyList<string> UnknownKeywords()
    {
        var unknown = new List<string>();
        Walk(root, "$", unknown);
        return unknown;
    }

    private void Check(JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            var target = reference.GetValue<string>().TrimStart('#', '/').Split('/').Aggregate((JsonNode)root, (node, key) => node[key]!);
            Check((JsonObject)target, value, path, errors);
            return;
        }

        if (schema["type"] is JsonNode type && !TypeMatches(type, value))
        {
            errors.Add($"{path}: expected {type.ToJsonString()}, found {Describe(value)}");
            return;
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
        {
            errors.Add($"{path}: {Describe(value)} is not one of {options.ToJsonString()}");
        }

        if (schema["const"] is JsonNode constant && !JsonNode.DeepEquals(constant, value))
        {
            errors.Add($"{path}: must be {constant.ToJsonString()}");
        }

        if (schema["not"] is JsonObject not && new JsonSchemaValidator(root).CheckAll(not, value, path).Count == 0)
        {
            errors.Add($"{path}: {Describe(value)} is refused by {not.ToJsonString()}");
        }

        switch (value)
        {
            case JsonValue scalar when scalar.TryGetValue<string>(out var text):
                if (schema["minLength"] is JsonValue min && text.Length < min.GetValue<int>())
                {
                    errors.Add($"{path}: shorter than {min}");
                }

                if (schema["pattern"] is JsonValue pattern && !Regex.IsMatch(text, pattern.GetValue<string>()))
                {
                    errors.Add($"{path}: '{text}' does not match {pattern}");
                }

                break;
            case JsonValue number when number.TryGetValue<double>(out var amount) || number.TryGetValue<long>(out _):
                amount = number.TryGetValue<long>(out var whole) ? whole : amount;
                if (schema["minimum"] is JsonValue minimum && amount < minimum.GetValue<double>())
                {
                    errors.Add($"{path}: {amount} is below {minimum}");
                }

                if (schema["maximum"] is JsonValue maximum && amount > maximum.GetValue<double>())
                {
                    errors.Add($"{path}: {amount} is above {maximum}");
                }

                break;
            case JsonObject map:
                CheckObject(schema, map, path, errors);
                break;
            case JsonArray list:
                if (schema["minItems"] is JsonValue fewest && list.Count < fewest.GetValue<int>())
                {
                    errors.Add($"{path}: needs at least {fewest} items");
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        Check(items, list[i], $"{path}[{i}]", errors);
                    }
                }

                break;
        }
    }

    private List<string> CheckAll(JsonObject schema, JsonNode? value, string path)
    {
        var errors = new List<string>();
        Check(schema, value, path, errors);
        return errors;
    }

    private void CheckObject(JsonObject schema, JsonObject map, string path, List<string> errors)
    {
        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!map.ContainsKey(required))
            {
                errors.Add($"{path}: missing required '{required}'");
            }
        }

        if (schema["minProperties"] is JsonValue minimum && map.Count < minimum.GetValue<int>())
        {
            errors.Add($"{path}: needs at least {minimum} properties");
        }

        var properties = schema["properties"] as JsonObject;
        foreach (var (key, child) in map)
        {
            if (schema["propertyNames"] is JsonObject names)
            {
                Check(names, JsonValue.Create(key), $"{path}.{key} (name)", errors);
            }

            if (properties?[key] is JsonObject known)
            {
                Check(known, child, $"{path}.{key}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(additional, child, $"{path}.{key}", errors);
            }
            else if (schema["additionalProperties"] is JsonValue allowed && !allowed.GetValue<bool>())
            {
                errors.Add($"{path}: unknown property '{key}'");
            }
        }
    }

    private static bool TypeMatches(JsonNode type, JsonNode? value)
    {
        var allowed = type is JsonArray many ? many.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
        return allowed.Any(t => t switch
        {
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => value is JsonValue v && v.TryGetValue<string>(out _),
            "boolean" => value is JsonValue v && v.TryGetValue<bool>(out _),
            "integer" => value is JsonValue v && (v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _)),
            "number" => value is JsonValue v && (v.TryGetValue<double>(out _) || v.TryGetValue<long>(out _)),
            "null" => value is null,
            _ => false,
        });
    }

    private static string Describe(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static void Walk(JsonNode? node, string path, List<string> unknown)
    {
        if (node is not JsonObject schema)
        {
            return;
        }

        foreach (var (key, child) in schema)
        {
            if (!Understood.Contains(key))
            {
                unknown.Add($"{path}.{key}");
            }

            switch (key)
            {
                case "properties" or "definitions":
                    foreach (var (name, sub) in (JsonObject)child!)
                    {
                        Walk(sub, $"{path}.{key}.{name}", unknown);
                    }

                    break;
                case "additionalProperties" or "items" or "not" or "propertyNames":
                    Walk(child, $"{path}.{key}", unknown);
                    break;
            }
        }
    }
}
