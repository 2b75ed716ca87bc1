using System.Text;

namespace TicketToken.Host.Tests;

/// <summary>Request bodies written by hand, so that a test can send exactly the bytes it means (malformed ones included).</summary>
public static class Body
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
