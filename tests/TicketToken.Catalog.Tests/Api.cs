using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Catalog.Tests;

/// <summary>Requests and answers as a client sees them.</summary>
public static class Api
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, Person? person, HttpMethod method, string path, object? body = null)
    {
        if (person is not null)
        {
            return client.SendAsync(person.Request(method, path, body));
        }

        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }

    /// <summary>A request with a raw body of any media type (CSV, hand-written JSON).</summary>
    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, Person person, HttpMethod method, string path, string body, string mediaType)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", person.AccessToken);
        return client.SendAsync(request);
    }

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

    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();

    public static List<JsonElement> Items(this JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    public static string? NextCursor(this JsonElement page) => page.GetProperty("nextCursor").GetString();
}

/// <summary>An RFC 9457 problem body; reading one asserts what every problem carries.</summary>
public sealed record Problem(int Status, string? Title, string? Detail, string Code, JsonElement Body)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var body = document.RootElement.Clone();
        body.GetProperty("status").GetInt32().Should().Be((int)response.StatusCode, text);
        body.TryGetProperty("traceId", out _).Should().BeTrue(text);
        return new Problem((int)response.StatusCode, Optional(body, "title"), Optional(body, "detail"), body.Text("code"), body);
    }

    /// <summary>The <c>errors</c> of an <c>invalid_seat_map</c> problem as (line, column, message).</summary>
    public IReadOnlyList<(int? Line, string? Column, string Message)> SeatMapErrors => [.. Body.GetProperty("errors").EnumerateArray().Select(e => (
        e.GetProperty("line").ValueKind == JsonValueKind.Number ? e.GetProperty("line").GetInt32() : (int?)null,
        e.GetProperty("column").GetString(),
        e.Text("message")))];

    private static string? Optional(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
