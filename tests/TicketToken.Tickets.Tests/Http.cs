using System.Net;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Tickets.Tests;

/// <summary>Requests as a fan's app sends them.</summary>
public static class Http
{
    public static async Task<HttpResponseMessage> GetAsync(this HttpClient client, Person fan, string path)
    {
        using var request = fan.Request(HttpMethod.Get, path);
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> GetOkAsync(this HttpClient client, Person fan, string path)
    {
        using var response = await client.GetAsync(fan, path);
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    public static Guid Id(this JsonElement element) => element.GetProperty("id").GetGuid();

    public static List<Guid> Ids(this JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid())];
}
