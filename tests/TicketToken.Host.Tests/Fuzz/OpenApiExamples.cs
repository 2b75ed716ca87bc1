using System.Text.Json.Nodes;

namespace TicketToken.Host.Tests.Fuzz;

/// <summary>A plausible value for a JSON schema of the OpenAPI document, for operations that carry no example of their own.</summary>
public static class OpenApiExamples
{
    public static JsonNode FromSchema(JsonNode document, JsonNode? schema) => Make(document, schema, depth: 0) ?? new JsonObject();

    private static JsonNode? Make(JsonNode document, JsonNode? schema, int depth)
    {
        if (schema is null || depth > 6)
        {
            return null;
        }

        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return Make(document, Resolve(document, reference), depth + 1);
        }

        if ((schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"]) is JsonArray choices)
        {
            return choices.Select(c => Make(document, c, depth + 1)).FirstOrDefault(v => v is not null);
        }

        if (schema["enum"] is JsonArray { Count: > 0 } values)
        {
            return values.FirstOrDefault(v => v is not null)?.DeepClone();
        }

        return TypeOf(schema) switch
        {
            "object" => Object(document, schema, depth),
            "array" => new JsonArray(Make(document, schema["items"], depth + 1) is { } item ? [item] : []),
            "integer" => JsonValue.Create(1),
            "number" => JsonValue.Create(1.0),
            "boolean" => JsonValue.Create(true),
            "string" => schema["format"]?.GetValue<string>() switch
            {
                "uuid" => JsonValue.Create(Guid.NewGuid().ToString()),
                "date-time" => JsonValue.Create(DateTimeOffset.UtcNow.AddDays(30).ToString("O")),
                "date" => JsonValue.Create(DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)).ToString("O")),
                _ => JsonValue.Create("text"),
            },
            _ when schema["properties"] is not null => Object(document, schema, depth),
            _ when schema["maxLength"] is not null || schema["minLength"] is not null || schema["pattern"] is not null => JsonValue.Create("text"),
            _ => null,
        };
    }

    private static JsonObject Object(JsonNode document, JsonNode schema, int depth)
    {
        var result = new JsonObject();
        foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
        {
            if (Make(document, property, depth + 1) is { } value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>The schema's type; OpenAPI 3.1 writes nullable types as <c>["null", "string"]</c>.</summary>
    private static string? TypeOf(JsonNode schema) => schema["type"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray types => types.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t is not null and not "null"),
        _ => null,
    };

    private static JsonNode? Resolve(JsonNode document, string reference)
    {
        JsonNode? node = document;
        foreach (var part in reference.TrimStart('#', '/').Split('/'))
        {
            node = node?[part];
        }

        return node;
    }
}
