using System.Net;
using System.Text.Json;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// The access log of a real host process, as JSON lines: its status must be the one the client got, whether the
/// answer was a result, a problem thrown by a handler or an unexpected exception (it once said 200 for all of them).
/// </summary>
public sealed class RequestLogTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task The_request_log_carries_the_status_the_client_got_for_success_problem_and_failure()
    {
        await using var host = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Runtime.ConformanceHost.dll"), new Dictionary<string, string>
        {
            ["TicketToken__Postgres"] = _database.ConnectionString,
            ["TicketToken__Runtime"] = "embedded",
            ["TicketToken__Logging__Format"] = "json",
        });

        var answered = new Dictionary<string, int>();
        foreach (var kind in new[] { "ok", "problem", "failure" })
        {
            using var response = await host.Client.GetAsync($"conformance/answers/{kind}");
            answered[kind] = (int)response.StatusCode;
        }

        answered.Should().Equal(new Dictionary<string, int> { ["ok"] = 200, ["problem"] = 409, ["failure"] = 500 });
        foreach (var (kind, status) in answered)
        {
            await Eventually.TrueAsync(() => Task.FromResult(RequestLine(host.Output, kind) is not null), $"the {kind} request was logged");
            var line = RequestLine(host.Output, kind)!.Value;
            line.GetProperty("Properties").GetProperty("StatusCode").GetInt32().Should().Be(status, $"the {kind} answer was {status}");
            line.GetProperty("RenderedMessage").GetString().Should().Contain($"responded {status}");
            line.GetProperty("Level").GetString().Should().Be(status >= 500 ? "Error" : "Information");
        }
    }

    private static JsonElement? RequestLine(string output, string kind)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            var entry = JsonDocument.Parse(line).RootElement;
            if (entry.TryGetProperty("Properties", out var properties)
                && entry.GetProperty("MessageTemplate").GetString()!.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal)
                && properties.TryGetProperty("RequestPath", out var path) && path.GetString() == $"/conformance/answers/{kind}")
            {
                return entry.Clone();
            }
        }

        return null;
    }
}
