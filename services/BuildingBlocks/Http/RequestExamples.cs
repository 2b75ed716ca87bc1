using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace TicketToken.BuildingBlocks.Http;

/// <summary>A named request body example for the OpenAPI document (Swagger UI offers it in "Try it out").</summary>
public sealed record RequestExample(string Name, string Summary, JsonNode Value)
{
    public RequestExample(string name, string summary, string json) : this(name, summary, JsonNode.Parse(json)!)
    {
    }
}

/// <summary>Attaches request examples to one operation of the OpenAPI document.</summary>
public static class RequestExamples
{
    public static RouteHandlerBuilder WithJsonRequestExamples(this RouteHandlerBuilder builder, params RequestExample[] examples) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            Add(operation, "application/json", null, examples);
            return Task.CompletedTask;
        });

    /// <summary>Adds <paramref name="examples"/> for <paramref name="contentType"/>, and its schema where ASP.NET Core cannot infer one.</summary>
    public static void Add(OpenApiOperation operation, string contentType, IOpenApiSchema? schema, IEnumerable<RequestExample> examples)
    {
        var body = operation.RequestBody as OpenApiRequestBody ?? new OpenApiRequestBody { Required = true };
        operation.RequestBody = body;
        body.Content ??= new Dictionary<string, OpenApiMediaType>();
        if (!body.Content.TryGetValue(contentType, out var media))
        {
            media = new OpenApiMediaType();
            body.Content[contentType] = media;
        }

        media.Schema = schema ?? media.Schema;
        media.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var example in examples)
        {
            media.Examples[example.Name] = new OpenApiExample { Summary = example.Summary, Value = example.Value.DeepClone() };
        }
    }
}

/// <summary>Headers an operation cannot do without, stated as required in the OpenAPI document.</summary>
public static class RequiredHeaders
{
    /// <summary>
    /// Marks <paramref name="name"/> required: a handler that checks the header itself (to answer with its own problem
    /// code) binds it as optional, so the generator alone would call it optional.
    /// </summary>
    public static RouteHandlerBuilder WithRequiredHeader(this RouteHandlerBuilder builder, string name, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                if (parameter.In == ParameterLocation.Header && string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    parameter.Required = true;
                    parameter.Description = description;
                }
            }

            return Task.CompletedTask;
        });
}
