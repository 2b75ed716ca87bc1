using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// Describes the bearer scheme once, and on every operation that needs a token: the requirement, the policy
/// in words (Swagger UI then offers "Authorize"). Its 401/403 problem answers come from <see cref="ProblemAnswersDescriptionProvider"/>.
/// </summary>
internal sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string Scheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /api/auth/login (people) or POST /api/devices/token (scanner devices).",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            // One empty requirement says "no token needed" explicitly, so a linter or client generator does not have
            // to guess whether the operation was forgotten.
            operation.Security = [new OpenApiSecurityRequirement()];
            return Task.CompletedTask;
        }

        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] }];
        var rule = policies.Count > 0 ? $"Requires policy {string.Join(" and ", policies)}." : "Requires a valid access token.";
        operation.Description = string.IsNullOrEmpty(operation.Description) ? rule : operation.Description + "\n\n" + rule;
        return Task.CompletedTask;
    }
}
