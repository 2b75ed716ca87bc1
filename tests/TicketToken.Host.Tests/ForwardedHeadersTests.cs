using System.Net;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>Per-client limits see the client behind a trusted proxy, and nobody can fake being another client otherwise.</summary>
public sealed class ForwardedHeadersTests
{
    private static readonly Dictionary<string, string?> Limited = new()
    {
        ["TicketToken:RateLimiting:Enabled"] = "true",
        ["TicketToken:RateLimiting:PermitsPerSecond"] = "1",
        ["TicketToken:RateLimiting:Burst"] = "2",
    };

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_rate_limit()
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var host = await TestHost.StartAsync(HostModules.All(), database.ConnectionString,
            new Dictionary<string, string?>(Limited) { ["TicketToken:ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8" });

        var first = await StatusesAsync(host, "203.0.113.7", 4);
        var second = await StatusesAsync(host, "198.51.100.9", 1);

        first.Should().Contain(HttpStatusCode.TooManyRequests, "one client exceeded its burst");
        second.Should().NotContain(HttpStatusCode.TooManyRequests, "another client behind the same proxy has its own bucket");
    }

    [Fact]
    public async Task Without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing()
    {
        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        await using var host = await TestHost.StartAsync(HostModules.All(), database.ConnectionString, Limited);

        await StatusesAsync(host, "203.0.113.7", 4);
        var forged = await StatusesAsync(host, "198.51.100.9", 1);

        forged.Should().Contain(HttpStatusCode.TooManyRequests, "X-Forwarded-For from an untrusted peer is ignored: same client, same bucket");
    }

    private static async Task<List<HttpStatusCode>> StatusesAsync(TestHost host, string client, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await host.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
