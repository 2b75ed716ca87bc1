using System.Net.Sockets;
using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;
using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Testing;

/// <summary>
/// The PostgreSQL server of a test run, in this order: <c>TICKETTOKEN_TEST_POSTGRES</c> (a superuser connection
/// string) when set; else a Testcontainers container when a Docker endpoint answers; else one throwaway server from
/// Debian's packages, on a free port. Started on first use, stopped when the test process exits; the test output
/// says which one ran (<see cref="Source"/>).
/// </summary>
public static class PostgresServer
{
    /// <summary>The image Testcontainers runs: the one the kind cluster's database runs (<c>k8s/infra/postgres.yaml</c>).</summary>
    public const string Image = "postgres:17.6";

    /// <summary>Test clusters live in <c>{temp}/tickettoken-test-pg-{pid}-{guid}</c>; the pid tells whether their owner still runs.</summary>
    public const string DirectoryPrefix = "tickettoken-test-pg-";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static LocalPostgres? _local;
    private static PostgreSqlContainer? _container;

    /// <summary>Which server this test process uses, and why (null before first use).</summary>
    public static string? Source { get; private set; }

    public static async Task<string> AdminConnectionStringAsync()
    {
        if (_adminConnectionString is not null)
        {
            return _adminConnectionString;
        }

        await Gate.WaitAsync();
        try
        {
            if (_adminConnectionString is not null)
            {
                return _adminConnectionString;
            }

            if (Environment.GetEnvironmentVariable("TICKETTOKEN_TEST_POSTGRES") is { Length: > 0 } given)
            {
                Announce("the server named by TICKETTOKEN_TEST_POSTGRES");
                _adminConnectionString = given;
                return given;
            }

            var (container, whyNot) = await TryContainerAsync();
            if (container is not null)
            {
                _container = container;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
                Announce($"Testcontainers ({Image})");
                _adminConnectionString = container.GetConnectionString();
                return _adminConnectionString;
            }

            Announce($"a throwaway server from Debian's packages (no Testcontainers: {whyNot})");
            await LocalPostgres.RemoveAbandonedAsync(Path.GetTempPath(), DirectoryPrefix);
            var directory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            _local = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: true, database: "postgres");
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _local.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _adminConnectionString = _local.ConnectionString;
            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// A started container when a Docker endpoint answers (<paramref name="dockerEndpoint"/>, else the one Testcontainers
    /// finds: DOCKER_HOST, its properties file, the default socket); otherwise why not, in one line.
    /// </summary>
    public static async Task<(PostgreSqlContainer? Container, string? WhyNot)> TryContainerAsync(Uri? dockerEndpoint = null)
    {
        PostgreSqlContainer? container = null;
        try
        {
            var builder = new PostgreSqlBuilder(Image);
            if (dockerEndpoint is not null)
            {
                builder = builder.WithDockerEndpoint(dockerEndpoint);
            }

            container = builder.Build();
            await container.StartAsync();
            return (container, null);
        }
        catch (Exception ex) when (ex is DockerUnavailableException or InvalidOperationException or HttpRequestException or TimeoutException or IOException
            or SocketException or AggregateException || ex.GetType().Namespace?.StartsWith("Docker", StringComparison.Ordinal) == true)
        {
            if (container is not null)
            {
                await container.DisposeAsync();
            }

            // Docker.DotNet wraps a refused connection in an AggregateException: the innermost failure is the reason.
            var cause = ex.GetBaseException();
            return (null, ex is DockerUnavailableException ? "no Docker endpoint answers" : $"{cause.GetType().Name}: {cause.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Once per test process, on standard error, which the test runner shows.</summary>
    private static void Announce(string source)
    {
        Source = source;
        Console.Error.WriteLine($"PostgreSQL for this test run: {source}.");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var admin = await AdminConnectionStringAsync();
        var safePrefix = new string(prefix.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30).ToArray());
        var name = $"{safePrefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists \"{database}\" with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A fresh, empty database for one test class; dropped afterwards.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await PostgresServer.CreateDatabaseAsync("tt");

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(ConnectionString);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await command.ExecuteNonQueryAsync();
    }
}
