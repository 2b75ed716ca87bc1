using Npgsql;
using Xunit;
using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Testing;

/// <summary>
/// The PostgreSQL server of a test run: <c>TICKETTOKEN_TEST_POSTGRES</c> (a superuser connection string)
/// when set, otherwise one throwaway server from Debian's packages started on first use, on a free port,
/// and stopped when the test process exits.
/// </summary>
public static class PostgresServer
{
    /// <summary>Test clusters live in <c>{temp}/tickettoken-test-pg-{pid}-{guid}</c>; the pid tells whether their owner still runs.</summary>
    public const string DirectoryPrefix = "tickettoken-test-pg-";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;
    private static LocalPostgres? _local;

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
                _adminConnectionString = given;
                return given;
            }

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
