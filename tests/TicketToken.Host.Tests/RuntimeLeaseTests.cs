using System.Net;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>One embedded host per database (ADR 0005): a second one waits for the lease, as in a rolling restart.</summary>
public sealed class RuntimeLeaseTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_second_host_on_the_same_database_starts_only_once_the_first_has_stopped()
    {
        var database = new PostgresDatabase();
        await database.InitializeAsync();
        TestHost? first = await TestHost.StartAsync(HostModules.All(), database.ConnectionString);
        var second = Task.Run(() => TestHost.StartAsync(HostModules.All(), database.ConnectionString));
        try
        {
            var winner = await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(2)));
            winner.Should().NotBeSameAs(second, "the first host holds the runtime lease");
            using (var stillReady = await first.Client.GetAsync("/readyz"))
            {
                stillReady.StatusCode.Should().Be(HttpStatusCode.OK, "the first host keeps running meanwhile");
            }

            await first.DisposeAsync();
            first = null;

            var successor = await second.WaitAsync(StartLimit);
            using var ready = await successor.Client.GetAsync("/readyz");
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            await (await second.WaitAsync(StartLimit)).DisposeAsync();
            await database.DisposeAsync();
        }
    }
}
