using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// Two corrections to the generated schemas. The generator calls every constructor parameter of a record required, also
/// <c>string? PromoCode</c>, which a client may leave out (the serializer then passes null): a nullable property is
/// required only when it says so (<see cref="RequiredAttribute"/>). And a nullable string with a length attribute comes
/// out without a <c>type</c>: it gets its type back.
/// </summary>
internal sealed class NullableIsOptionalTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        // A property's schema can be an object's own (a nested request such as "best"), so both corrections apply to it.
        if (context.JsonPropertyInfo is { } described
            && schema.Type is null && schema.Properties is null && described.PropertyType == typeof(string))
        {
            schema.Type = IsNullable(described) ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        }

        if (schema.Required is not { Count: > 0 } required)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (required.Contains(property.Name) && IsNullable(property)
                && (property.AttributeProvider as MemberInfo)?.GetCustomAttribute<RequiredAttribute>() is null)
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsNullable(JsonPropertyInfo property)
    {
        if (Nullable.GetUnderlyingType(property.PropertyType) is not null)
        {
            return true;
        }

        var context = new NullabilityInfoContext();
        return property.AttributeProvider switch
        {
            PropertyInfo p => context.Create(p).ReadState == NullabilityState.Nullable,
            FieldInfo f => context.Create(f).ReadState == NullabilityState.Nullable,
            _ => false,
        };
    }
}

/// <summary>
/// The generator names the server as the request's base address with a trailing slash; every path already starts with
/// one, so a client joining the two would call <c>//api/...</c>.
/// </summary>
internal sealed class ServerUrlTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url.TrimEnd('/');
            }
        }

        return Task.CompletedTask;
    }
}
