using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// What text the API accepts, in one place: valid Unicode (no lone surrogates, no invalid UTF-8) without control
/// characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in text outright (a 500 if it gets
/// that far), and the other control characters have no business in a name, an address or a reason.
/// </summary>
public static class TextInput
{
    /// <summary>Why <paramref name="text"/> is refused, or null when it is fine.</summary>
    public static string? Problem(ReadOnlySpan<char> text) => IndexOfProblem(text, out var problem) < 0 ? null : problem;

    /// <summary>Where the first character <paramref name="text"/> may not carry is (and why), or -1.</summary>
    public static int IndexOfProblem(ReadOnlySpan<char> text, out string? problem)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                problem = $"contains a lone surrogate (U+{(int)c:X4}), which is not Unicode text";
                return i;
            }

            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                problem = $"contains the control character U+{(int)c:X4}";
                return i;
            }
        }

        problem = null;
        return -1;
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8, or -1.</summary>
    public static int IndexOfInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return -1;
        }

        System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return read;
    }

    /// <summary>Throws <see cref="InvalidTextException"/> when <paramref name="text"/> is not acceptable.</summary>
    public static string Check(string text, string where)
    {
        if (Problem(text) is { } problem)
        {
            throw new InvalidTextException(where, problem);
        }

        return text;
    }
}

/// <summary>Text that <see cref="TextInput"/> refuses; answered 400 <c>invalid_text</c>. A <see cref="JsonException"/> so that the serializer adds where it was.</summary>
public sealed class InvalidTextException(string where, string problem) : JsonException($"The text at {where} {problem}.")
{
    public string Where { get; } = where;

    public string Reason { get; } = problem;
}

/// <summary>A null where the request's type says there is none (an element of a list of non-nullable items); answered 400 <c>validation_failed</c>.</summary>
public sealed class NullValueException(string field) : JsonException($"{field} must not be null.")
{
    public string Field { get; } = field;
}

/// <summary>Reads every JSON string of a request body through <see cref="TextInput"/>; writes them as the built-in converter does.</summary>
internal sealed class GuardedStringConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? Checked(ref reader) : throw new JsonException($"Expected text, got {Describe(reader.TokenType)}.");

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Checked(ref reader);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    private static string Checked(ref Utf8JsonReader reader)
    {
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The reader refuses escaped lone surrogates ("\ud800") and invalid UTF-8 when it transcodes.
            throw new InvalidTextException("this position", "is not valid Unicode text");
        }

        return TextInput.Problem(value) is { } problem ? throw new InvalidTextException("this position", problem) : value;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };
}

/// <summary>
/// Refuses null elements in lists whose element type is not nullable (<c>IReadOnlyList&lt;string&gt;</c> with
/// <c>[null]</c>): the serializer would hand them on, and the handler would meet a null it was promised not to get.
/// Nullability of type arguments is read from the property's nullable annotations.
/// </summary>
internal static class NullElementGuard
{
    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var context = new NullabilityInfoContext();
        var guarded = new List<JsonPropertyInfo>();
        foreach (var property in info.Properties)
        {
            if (property.Get is null || property.PropertyType == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                continue;
            }

            var nullability = property.AttributeProvider switch
            {
                PropertyInfo p => context.Create(p),
                FieldInfo f => context.Create(f),
                _ => null,
            };
            var element = nullability?.ElementType ?? (nullability?.GenericTypeArguments is [var single] ? single : null);
            if (element is { ReadState: NullabilityState.NotNull } && !element.Type.IsValueType)
            {
                guarded.Add(property);
            }
        }

        if (guarded.Count == 0)
        {
            return;
        }

        var before = info.OnDeserialized;
        info.OnDeserialized = value =>
        {
            before?.Invoke(value);
            foreach (var property in guarded)
            {
                if (property.Get!(value) is not IEnumerable items)
                {
                    continue;
                }

                var index = 0;
                foreach (var item in items)
                {
                    if (item is null)
                    {
                        throw new NullValueException($"{property.Name}[{index}]");
                    }

                    index++;
                }
            }
        };
    }
}

/// <summary>The guard's wiring: JSON options for bound bodies, the query-string check and the body size limits.</summary>
public static class InputGuardExtensions
{
    /// <summary>The largest request body a route takes unless it says otherwise (<see cref="WithRequestBodyLimit{TBuilder}"/>).</summary>
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    internal static IServiceCollection AddInputGuard(this IServiceCollection services)
    {
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
        {
            var serializer = options.SerializerOptions;
            serializer.Converters.Add(new GuardedStringConverter());
            serializer.TypeInfoResolver = (serializer.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(NullElementGuard.Apply);
        });
        return services;
    }

    /// <summary>Lets this route take a body of up to <paramref name="bytes"/> (imports, uploads); every other route takes <see cref="DefaultMaxRequestBodyBytes"/>.</summary>
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));

    /// <summary>
    /// Before any endpoint reads a body: the body limit of the route (Kestrel then refuses more with 413 while reading), and a
    /// query string whose decoded text <see cref="TextInput"/> refuses is answered 400 <c>invalid_text</c>.
    /// </summary>
    internal static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? DefaultMaxRequestBodyBytes;
        }

        // Control characters and broken surrogates can only arrive percent-encoded, so a query without '%' needs no look.
        if (context.Request.QueryString.Value?.Contains('%', StringComparison.Ordinal) == true)
        {
            foreach (var (key, values) in context.Request.Query)
            {
                if (TextInput.Problem(key) is { } keyProblem)
                {
                    throw new InvalidTextException("a query parameter's name", keyProblem);
                }

                foreach (var value in values)
                {
                    if (value is not null && TextInput.Problem(value) is { } problem)
                    {
                        throw new InvalidTextException($"the query parameter {key}", problem);
                    }
                }
            }
        }

        await next(context);
    });

    private sealed class RequestBodyLimit(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = bytes;
    }
}
