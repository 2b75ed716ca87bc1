using System.Net.Http.Json;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>How the embedded runtime stops: what a SIGTERM leaves behind in its tables.</summary>
public sealed class EmbeddedShutdownTests(EmbeddedChildProcessFixture runtime) : IClassFixture<EmbeddedChildProcessFixture>
{
    private readonly EmbeddedChildProcessFixture _runtime = runtime;

    [Fact]
    public async Task A_graceful_stop_hands_back_unfinished_deliveries_without_counting_them_as_attempts()
    {
        const int count = 40;
        var first = 7_000_000 + Random.Shared.Next(1_000_000);
        await using (var slow = await _runtime.StartChildAsync(new Dictionary<string, string>
        {
            ["Conformance__HandlerDelayMs"] = "300",
            ["TicketToken__Embedded__DeliveryConcurrency"] = "4",
        }))
        {
            (await slow.Client.PostAsJsonAsync("conformance/publish", new PublishRequest(Topics.Messages, first, count))).EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () => await Calls() >= 4, "handlers are running");

            var exitCode = await slow.StopAsync(TimeSpan.FromSeconds(20));

            exitCode.Should().Be(0, "SIGTERM is a normal shutdown");
        }

        (await _runtime.Database.ScalarAsync<int>("select count(*) from runtime.deliveries where claimed")).Should().Be(0, "nothing stays claimed by a host that stopped");
        (await _runtime.Database.ScalarAsync<int>("select count(*) from runtime.deliveries where attempt > 0")).Should().Be(0, "a shutdown is not a failed attempt");
        await using var restarted = await _runtime.StartChildAsync();
        await Eventually.TrueAsync(async () => await Received() == count, "the rest was delivered by the next host");

        Task<int> Calls() => _runtime.Database.ScalarAsync<int>(
            "select count(*) from conformance.handler_calls c join runtime.deliveries d on d.event->>'id' = c.message_id");
        Task<int> Received() => _runtime.Database.ScalarAsync<int>(
            "select count(*) from conformance.received where number between $1 and $2", first, first + count - 1);
    }

}
