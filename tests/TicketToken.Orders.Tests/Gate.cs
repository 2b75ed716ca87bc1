using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>The gate as these tests use it: a ticket's current code as its owner's app computes it, and a scanner's entry scan.</summary>
internal static class Gate
{
    public static async Task<string> CurrentCodeAsync(this HttpClient client, Person owner, Guid ticketId)
    {
        using var offline = await client.SendAsync(owner, HttpMethod.Get, $"/api/tickets/{ticketId}/offline");
        var secret = await offline.ShouldBeAsync(HttpStatusCode.OK);
        return TicketCode.Current(ticketId, Base64Url.DecodeFromChars(secret.Text("secret")), DateTimeOffset.UtcNow, secret.GetProperty("stepSeconds").GetInt32());
    }

    /// <summary>An entry scan by <paramref name="device"/>: the answer (allowed or not, with its reason).</summary>
    public static async Task<JsonElement> ScanInAsync(this HttpClient client, ScannerDevice device, Guid eventId, string code, string gate)
    {
        using var response = await client.SendAsync(device.AccessToken, HttpMethod.Post, "/api/scans", new { eventId, code, gate, direction = "entry" });
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }
}
