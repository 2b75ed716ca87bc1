using System.Diagnostics;
using System.Text.Json;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>The real host binary in its own process, logging JSON lines as it does in a container.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Every_log_line_is_json_with_a_trace_id_and_a_request_line_carries_the_callers_trace()
    {
        await using var host = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), new Dictionary<string, string>
        {
            ["TicketToken__Postgres"] = _database.ConnectionString,
            ["TicketToken__Logging__Format"] = "json",
        });
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/me"); // identity's profile, asked for without a token
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        using var response = await host.Client.SendAsync(request);
        await Eventually.TrueAsync(() => Task.FromResult(host.Output.Contains(traceId, StringComparison.Ordinal)), "the request was logged");
        await host.KillAsync();

        var lines = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Should().NotBeEmpty();
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
        entries.Should().OnlyContain(entry => TraceIdOf(entry) != null, "every line names the trace it belongs to, empty outside any trace");
        entries.Should().Contain(entry => TraceIdOf(entry) == traceId
            && entry.GetProperty("RenderedMessage").GetString()!.Contains("responded 401", StringComparison.Ordinal));
    }

    private static string? TraceIdOf(JsonElement entry) =>
        entry.TryGetProperty("TraceId", out var top) ? top.GetString()
        : entry.TryGetProperty("Properties", out var properties) && properties.TryGetProperty("TraceId", out var property) ? property.GetString()
        : null;
}
