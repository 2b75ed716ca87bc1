using System.Text.Json;

namespace TicketToken.Host.Tests;

/// <summary>
/// An RFC 9457 problem body as a client reads it; reading one asserts what every problem must carry. Its
/// <c>traceId</c> is the request's 32-hex W3C trace id, the same value its log lines carry as <c>TraceId</c>.
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
        body.TryGetProperty("traceId", out var traceId).Should().BeTrue("every problem carries the trace id to quote: {0}", text);
        traceId.GetString().Should().MatchRegex("^[0-9a-f]{32}$", "the traceId is the request's W3C trace id");

        return new Problem(status.GetInt32(), Optional(body, "title"), Optional(body, "detail"), code.GetString()!, traceId.GetString()!, body);
    }

    private static string? Optional(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
