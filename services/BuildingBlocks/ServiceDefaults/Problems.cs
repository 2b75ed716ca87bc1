using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.State;

namespace TicketToken.BuildingBlocks.ServiceDefaults;

/// <summary>
/// A failure a client can act on, with a stable machine-readable <see cref="Code"/>. Throw it from a handler
/// (or return <see cref="Problems.Create"/>) and the client gets an RFC 9457 problem body with that code.
/// </summary>
public sealed class ProblemException(int status, string code, string title, string? detail = null) : Exception(detail ?? title)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
}

public static class Problems
{
    /// <summary>A problem-details result carrying a <c>code</c> extension.</summary>
    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>The <c>code</c> for a problem that did not set one.</summary>
    internal static string CodeFor(int? status, bool validation) => validation ? "validation_failed" : status switch
    {
        400 => "invalid_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        499 => "client_closed_request",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };
}

/// <summary>Turns every exception into problem details; only the unexpected ones become a 500 (and are logged as errors).</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail) = exception switch
        {
            ProblemException p => (p.Status, p.Code, p.Title, p.Detail),
            BadHttpRequestException { InnerException: JsonException } bad => (bad.StatusCode, "invalid_json", "The request body is not valid JSON for this operation.", bad.Message),
            BadHttpRequestException bad => (bad.StatusCode, Problems.CodeFor(bad.StatusCode, validation: false), "The request is malformed.", bad.Message),
            JsonException json => (StatusCodes.Status400BadRequest, "invalid_json", "The request body is not valid JSON for this operation.", json.Message),
            ETagMismatchException => (StatusCodes.Status409Conflict, "concurrency_conflict", "Someone else changed this resource first; reload and try again.", null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "client_closed_request", "The client closed the request.", null),
            _ => (StatusCodes.Status500InternalServerError, "internal_error", "An unexpected error occurred.",
                environment.IsDevelopment() ? exception.Message : "The error was logged; quote the traceId when you report it."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            logger.LogInformation("{Method} {Path} answered {Status} {Code}: {Message}", httpContext.Request.Method, httpContext.Request.Path, status, code, exception.Message);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }
}
