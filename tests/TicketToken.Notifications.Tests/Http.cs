using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Notifications.Tests;

/// <summary>Requests as clients send them.</summary>
public static class Http
{
    public static async Task<JsonElement> SendOkAsync(this HttpClient client, Person person, HttpMethod method, string path, object? body = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.SendAsync(person, method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, text);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        await client.PostAsJsonAsync(path, body);
}
