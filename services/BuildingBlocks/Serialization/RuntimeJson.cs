using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketToken.BuildingBlocks.Serialization;

/// <summary>
/// The one JSON dialect every building block speaks: web defaults (camelCase), enums as strings.
/// Everything that crosses a module boundary goes through it, even inside one process.
/// </summary>
public static class RuntimeJson
{
    /// <summary>Options shared by state, pub/sub, actors and workflows.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // PostgreSQL's jsonb reorders keys, so a type discriminator may not come first.
            AllowOutOfOrderMetadataProperties = true,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static byte[] Serialize(object? value, Type type) => JsonSerializer.SerializeToUtf8Bytes(value, type, Options);

    public static T? Deserialize<T>(ReadOnlySpan<byte> utf8) => utf8.IsEmpty ? default : JsonSerializer.Deserialize<T>(utf8, Options);

    public static object? Deserialize(ReadOnlySpan<byte> utf8, Type type) =>
        utf8.IsEmpty ? null : JsonSerializer.Deserialize(utf8, type, Options);

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);

    public static T? FromElement<T>(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Undefined } e ? e.Deserialize<T>(Options) : default;
}
