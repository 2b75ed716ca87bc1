using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>One problem a route can answer: its status and stable <c>code</c>, as the module's problem catalogue makes it.</summary>
public sealed record ProblemAnswer(int Status, string Code);

/// <summary>The problems a route declared with <see cref="ProblemAnswerExtensions.Problems{TBuilder}"/>.</summary>
public sealed class ProblemAnswersMetadata(IReadOnlyList<ProblemAnswer> answers)
{
    public IReadOnlyList<ProblemAnswer> Answers { get; } = answers;
}

public static class ProblemAnswerExtensions
{
    /// <summary>
    /// Declares the module problems a route (or every route of a group) can answer, by the catalogue's own factories:
    /// <c>.Problems(OrdersProblems.OrderNotFound, () => OrdersProblems.NotCancellable(""))</c>. Each factory is called once,
    /// here, for its status and code; the OpenAPI document then lists the status with its codes (ADR 0030).
    /// </summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params Func<ProblemException>[] problems) where TBuilder : IEndpointConventionBuilder
    {
        var answers = problems.Select(problem => problem()).Select(p => new ProblemAnswer(p.Status, p.Code)).ToList();
        return builder.WithMetadata(new ProblemAnswersMetadata(answers));
    }
}

/// <summary>
/// Puts every route's problem answers into the API description the OpenAPI document is made from: the ones each route
/// can give by what it is (401 without a token, 403 with a policy, 400/413/415 for input, 429 under the rate limit) and
/// the module-specific ones its mapping declared, each status with the codes it carries (ADR 0030). Status metadata
/// alone (<c>ProducesProblem</c>) names no code; a <c>Results&lt;..., ProblemHttpResult&gt;</c> names not even the status.
/// </summary>
internal sealed class ProblemAnswersDescriptionProvider : IApiDescriptionProvider
{
    private const string ProblemJson = "application/problem+json";

    // After the endpoint metadata provider (-1100) has described every route; OnProvidersExecuted runs in reverse order.
    public int Order => -1200;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            Describe(description);
        }
    }

    private static void Describe(ApiDescription description)
    {
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var answers = new SortedDictionary<int, SortedSet<string>>();
        void Add(int status, params string[] codes)
        {
            if (!answers.TryGetValue(status, out var known))
            {
                answers[status] = known = new SortedSet<string>(StringComparer.Ordinal);
            }

            known.UnionWith(codes);
        }

        var parameters = description.ParameterDescriptions;
        if (description.SupportedRequestFormats.Count > 0
            || parameters.Any(p => p.Source == BindingSource.Body || p.Source == BindingSource.Form || p.Source == BindingSource.FormFile))
        {
            // ProblemExceptionHandler's answers to a body the binder or the input guard refuses.
            Add(StatusCodes.Status400BadRequest, "validation_failed", "invalid_json", "invalid_text");
            Add(StatusCodes.Status413PayloadTooLarge, "payload_too_large");
            Add(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type");
        }

        if (parameters.Any(p => p.Source == BindingSource.Query || p.Source == BindingSource.Header))
        {
            Add(StatusCodes.Status400BadRequest, "validation_failed", "invalid_request", "invalid_text");
        }

        if (!metadata.OfType<IAllowAnonymous>().Any())
        {
            Add(StatusCodes.Status401Unauthorized, "unauthenticated", "invalid_token", "token_expired");
            if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is not null))
            {
                Add(StatusCodes.Status403Forbidden, "forbidden");
            }
        }

        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            Add(StatusCodes.Status429TooManyRequests, "rate_limited");
        }

        foreach (var answer in metadata.OfType<ProblemAnswersMetadata>().SelectMany(m => m.Answers))
        {
            Add(answer.Status, answer.Code);
        }

        var responses = description.SupportedResponseTypes;
        if (responses.Count == 0 && answers.Count > 0)
        {
            // No declared answer means "200 without content" to the document generator: keep saying it next to the problems.
            responses.Add(new ApiResponseType { StatusCode = StatusCodes.Status200OK });
        }

        foreach (var (status, codes) in answers)
        {
            var response = responses.FirstOrDefault(r => r.StatusCode == status && !r.IsDefaultResponse);
            if (response is null)
            {
                response = new ApiResponseType { StatusCode = status, Type = typeof(ProblemDetails) };
                response.ApiResponseFormats.Add(new ApiResponseFormat { MediaType = ProblemJson });
                responses.Add(response);
            }

            response.Description = $"{ReasonPhrases.GetReasonPhrase(status)}: a problem with code {string.Join(", ", codes)}.";
        }
    }
}
