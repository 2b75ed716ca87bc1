using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Inventory.Tests;

/// <summary>Hold requests as a fan's app sends them.</summary>
public static class Http
{
    public static async Task<HttpResponseMessage> HoldAsync(this HttpClient client, Person fan, Guid eventId, object body, string? idempotencyKey = null)
    {
        using var request = fan.Request(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", body);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> HeldAsync(this HttpClient client, Person fan, Guid eventId, object body)
    {
        using var response = await client.HoldAsync(fan, eventId, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string> ProblemCodeAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    public static IReadOnlyList<string> SeatIds(this JsonElement hold) =>
        [.. hold.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    public static async Task<Dictionary<string, int>> AvailableByZoneAsync(this HttpClient client, Guid eventId)
    {
        var availability = await client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{eventId}/availability");
        return availability.GetProperty("sections").EnumerateArray()
            .SelectMany(s => s.GetProperty("zones").EnumerateArray())
            .GroupBy(z => z.GetProperty("priceZone").GetString()!)
            .ToDictionary(g => g.Key, g => g.Sum(z => z.GetProperty("available").GetInt32()));
    }

    public static async Task<Dictionary<string, string>> SeatStatusesAsync(this HttpClient client, Guid eventId)
    {
        var sections = await client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{eventId}/seats");
        return sections.EnumerateArray().SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("status").GetString()!);
    }
}
