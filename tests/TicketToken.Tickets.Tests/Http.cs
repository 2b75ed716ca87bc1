using System.Text.Json;

namespace TicketToken.Tickets.Tests;

/// <summary>What a fan's app reads from a page of tickets.</summary>
public static class Http
{
    public static List<Guid> Ids(this JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid())];
}
