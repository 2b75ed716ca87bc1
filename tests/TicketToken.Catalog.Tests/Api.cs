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

    public static List<JsonElement> Items(this JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    public static string? NextCursor(this JsonElement page) => page.GetProperty("nextCursor").GetString();
}


public static class SeatMapProblems
{
    /// <summary>The line-numbered errors of an <c>invalid_seat_map</c> problem.</summary>
    public static IReadOnlyList<(int? Line, string? Column, string Message)> SeatMapErrors(this Problem problem) =>
        [.. problem.Body.GetProperty("errors").EnumerateArray().Select(e => (
            e.GetProperty("line").ValueKind == JsonValueKind.Number ? e.GetProperty("line").GetInt32() : (int?)null,
            e.GetProperty("column").GetString(),
            e.Text("message")))];
}
