using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Testing;

/// <summary>Requests and answers as a client sees them, shared by the module test projects.</summary>
public static class Http
{
    /// <summary>A request with any bearer token (a device's, a crafted or tampered one).</summary>
    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, string accessToken, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return client.SendAsync(request);
    }

    /// <summary>Sends as <paramref name="person"/>, asserts <paramref name="expected"/> and returns the JSON body (undefined when there is none).</summary>
    public static async Task<JsonElement> SendOkAsync(this HttpClient client, Person person, HttpMethod method, string path, object? body = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.SendAsync(person, method, path, body);
        return await response.ShouldBeAsync(expected);
    }

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, Person person, string path) => client.SendAsync(person, HttpMethod.Get, path);

    public static Task<JsonElement> GetOkAsync(this HttpClient client, Person person, string path) => client.SendOkAsync(person, HttpMethod.Get, path);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body);

    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();
}
