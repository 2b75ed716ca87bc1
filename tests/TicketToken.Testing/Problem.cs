using System.Net;
using System.Text.Json;
using FluentAssertions;

namespace TicketToken.Testing;

/// <summary>
/// An RFC 9457 problem body as a client reads it; reading one asserts what every problem must carry: its status, a
/// <c>type</c>, a machine-readable <c>code</c>, and the request's 32-hex W3C trace id as <c>traceId</c>.
/// </summary>
public sealed record Problem(int Status, string? Title, string? Detail, string Code, string TraceId, JsonElement Body)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var body = document.RootElement.Clone();

        body.TryGetProperty("status", out var status).Should().BeTrue("a problem states its status: {0}", text);
        status.GetInt32().Should().Be((int)response.StatusCode);
        body.TryGetProperty("code", out var code).Should().BeTrue("every problem carries a machine-readable code: {0}", text);
        body.TryGetProperty("type", out var type).Should().BeTrue("every problem carries a type a client can follow: {0}", text);
        type.GetString().Should().NotBeNullOrEmpty();
        body.TryGetProperty("traceId", out var traceId).Should().BeTrue("every problem carries the trace id to quote: {0}", text);
        traceId.GetString().Should().MatchRegex("^[0-9a-f]{32}$", "the traceId is the request's W3C trace id");

        return new Problem(status.GetInt32(), Optional(body, "title"), Optional(body, "detail"), code.GetString()!, traceId.GetString()!, body);
    }

    /// <summary>The body without what differs between any two requests (the trace id), for comparing two answers.</summary>
    public string Comparable() =>
        string.Join("\n", Body.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    private static string? Optional(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Assertions on answers, shared by the module test projects.</summary>
public static class ResponseAssertions
{
    /// <summary>Asserts the status and returns the JSON body (undefined when there is none).</summary>
    public static async Task<JsonElement> ShouldBeAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        if (text.Length == 0)
        {
            return default;
        }

        using var json = JsonDocument.Parse(text);
        return json.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with this status and <c>code</c>.</summary>
    public static async Task<Problem> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        var problem = await Problem.ReadAsync(response);
        problem.Code.Should().Be(code, text);
        return problem;
    }

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
