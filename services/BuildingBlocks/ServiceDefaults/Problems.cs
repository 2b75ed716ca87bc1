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
/// A failure a client can act on, with a stable machine-readable <see cref="Code"/>. Modules make them in their problem
/// catalogue (<c>OrdersProblems</c>, <c>IdentityProblems</c>, ...) and throw them from a handler or the domain; the client
/// gets an RFC 9457 problem body with that code (ADR 0030). Routes declare the ones they can answer with
/// <see cref="ProblemAnswerExtensions.Problems{TBuilder}"/>.
/// </summary>
public sealed class ProblemException(int status, string code, string title, string? detail = null) : Exception(detail ?? title)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;

    /// <summary>Members the body carries after <c>code</c> (a guest list's errors by line), in this order.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>The answer's <c>Retry-After</c>, in seconds (a lockout's 429).</summary>
    public int? RetryAfterSeconds { get; init; }
}

public static class Problems
{
    /// <summary>
    /// A problem-details result carrying a <c>code</c> extension. Modules throw their named problems instead (ADR 0030);
    /// this stays for the on-sale bench's baseline module, which answers like inventory did before.
    /// </summary>
    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>
    /// The <c>type</c> of a problem the framework has no link for: the section of the RFC that defines the status. Every
    /// problem carries one, so that a client can always follow it.
    /// </summary>
    internal static string TypeFor(int? status) => status switch
    {
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        499 => "https://tools.ietf.org/html/rfc9110#section-15.5",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        >= 400 and < 500 => "https://tools.ietf.org/html/rfc9110#section-15.5",
        >= 500 => "https://tools.ietf.org/html/rfc9110#section-15.6",
        _ => "about:blank",
    };

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
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail) = exception switch
        {
            ProblemException p => (p.Status, p.Code, p.Title, p.Detail),
            InvalidTextException text => InvalidText(text),
            BadHttpRequestException { InnerException: InvalidTextException text } => InvalidText(text),
            BadHttpRequestException { InnerException: NullValueException } => (StatusCodes.Status400BadRequest, "validation_failed", "One or more validation errors occurred.", null),
            BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "invalid_json", "The request body is not valid JSON for this operation.", JsonDetail(json)),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The request body is too large.", "This operation takes a smaller body; see its description."),
            BadHttpRequestException bad => (bad.StatusCode, Problems.CodeFor(bad.StatusCode, validation: false), "The request is malformed.", WithoutTypeNames(bad.Message)),
            JsonException json => (StatusCodes.Status400BadRequest, "invalid_json", "The request body is not valid JSON for this operation.", JsonDetail(json)),
            ETagMismatchException => (StatusCodes.Status409Conflict, "concurrency_conflict", "Someone else changed this resource first; reload and try again.", null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "client_closed_request", "The client closed the request.", null),
            // The last line of defence: text that slipped past TextInput and that PostgreSQL refuses (NUL, invalid encoding).
            _ when PostgresRefusedText(exception) => (StatusCodes.Status400BadRequest, "invalid_text", "The request carries text the API does not accept.", null),
            _ => (StatusCodes.Status500InternalServerError, "internal_error", "An unexpected error occurred.",
                "The error was logged; quote the traceId when you report it."),
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
        if (exception is ProblemException { RetryAfterSeconds: { } seconds })
        {
            // Set here: the exception handler cleared the headers a handler set before it threw.
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = Build(exception, status, code, title, detail),
        });
    }

    private static ProblemDetails Build(Exception exception, int status, string code, string title, string? detail)
    {
        var problem = Shape(exception, status, code, title, detail);
        if (exception is ProblemException { Extensions: { } extensions })
        {
            foreach (var (name, value) in extensions)
            {
                problem.Extensions[name] = value;
            }
        }

        return problem;
    }

    private static ProblemDetails Shape(Exception exception, int status, string code, string title, string? detail) =>
        exception is BadHttpRequestException { InnerException: NullValueException missing }
            ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [FieldPath(missing)] = [$"{FieldPath(missing)} must not be null."] })
            {
                Status = status,
                Title = title,
                Extensions = { ["code"] = code },
            }
            : new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["code"] = code },
            };

    /// <summary>The null's place in the body: the serializer knows where the object was, the guard which of its elements.</summary>
    private static string FieldPath(NullValueException missing) =>
        missing.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? $"{path[2..]}.{missing.Field}" : missing.Field;

    private static (int, string, string, string?) InvalidText(InvalidTextException text) =>
        (StatusCodes.Status400BadRequest, "invalid_text", "The request carries text the API does not accept.",
            $"The text at {(text.Path is { Length: > 0 } path ? path : text.Where)} {text.Reason}.");

    /// <summary>Where the body went wrong and why, without the .NET type names the serializer's own messages carry.</summary>
    internal static string JsonDetail(JsonException json)
    {
        var where = json.Path is { Length: > 0 } path ? path : "$";
        var position = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        var reason = cut > 0 ? message[..cut] : message;
        return TypeName().IsMatch(reason) || reason.Contains(" type ", StringComparison.Ordinal)
            ? $"The value at {where} is not of the kind or format this operation expects{position}."
            : $"{reason.TrimEnd('.')} at {where}{position}.";
    }

    /// <summary>"Failed to bind parameter "System.Guid eventId"": the parameter's name says enough; its .NET type is our business.</summary>
    internal static string WithoutTypeNames(string message) => QuotedParameter().Replace(message, "\"$1\"");

    private static bool PostgresRefusedText(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            // 22021 character_not_in_repertoire / invalid byte sequence, 22P05 untranslatable_character.
            if (e is Npgsql.PostgresException { SqlState: "22021" or "22P05" })
            {
                return true;
            }
        }

        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(System|Microsoft|TicketToken)(\.\w+)+")]
    private static partial System.Text.RegularExpressions.Regex TypeName();

    [System.Text.RegularExpressions.GeneratedRegex("\"[^\"\\s]+ (\\w+)\"")]
    private static partial System.Text.RegularExpressions.Regex QuotedParameter();
}
