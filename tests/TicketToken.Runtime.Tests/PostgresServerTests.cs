using System.Net;
using System.Net.Sockets;
using Npgsql;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// Which PostgreSQL the fixtures use: TICKETTOKEN_TEST_POSTGRES, else Testcontainers when a Docker endpoint answers,
/// else Debian's server; the run names its choice.
/// </summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task A_Docker_endpoint_that_does_not_answer_gives_no_container_and_says_why()
    {
        // A port that was just free and has no listener: the connection is refused at once, whatever the load.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (container, whyNot) = await PostgresServer.TryContainerAsync(new Uri($"tcp://127.0.0.1:{port}"));

        container.Should().BeNull();
        whyNot.Should().NotBeNullOrWhiteSpace().And.NotContain("\n");
    }

    [Fact]
    public async Task The_test_run_names_the_server_it_chose_and_that_server_answers()
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();

        if (Environment.GetEnvironmentVariable("TICKETTOKEN_TEST_POSTGRES") is { Length: > 0 } given)
        {
            PostgresServer.Source.Should().Be("the server named by TICKETTOKEN_TEST_POSTGRES");
            admin.Should().Be(given);
        }
        else
        {
            PostgresServer.Source.Should().Match(source =>
                source.StartsWith("Testcontainers (" + PostgresServer.Image + ")", StringComparison.Ordinal)
                || source.StartsWith("a throwaway server from Debian's packages (no Testcontainers: ", StringComparison.Ordinal));
        }

        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("select current_setting('server_version_num')::int", connection);
        ((int)(await version.ExecuteScalarAsync())!).Should().BeGreaterThanOrEqualTo(150000);
    }
}
