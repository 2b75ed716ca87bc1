using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>
/// Starts a PostgreSQL server from the machine's Debian packages, for development (a durable cluster under
/// <c>.data/</c>) and for tests (a throwaway cluster in a temp directory with fsync off). PostgreSQL refuses
/// to run as root, so under root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly string _binDirectory;
    private readonly bool _ephemeral;
    private readonly bool _startedHere;
    private bool _disposed;

    private LocalPostgres(string dataDirectory, string binDirectory, int port, bool ephemeral, bool startedHere, string database)
    {
        _dataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        _ephemeral = ephemeral;
        _startedHere = startedHere;
        Port = port;
        ConnectionString = ConnectionStringFor(database);
    }

    public int Port { get; }

    /// <summary>Connects as the <c>postgres</c> superuser to the cluster's application database.</summary>
    public string ConnectionString { get; }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>
    /// Starts (or reuses, if already running) a cluster in <paramref name="dataDirectory"/>. With
    /// <paramref name="ephemeral"/> the cluster trades durability for speed and is deleted on dispose.
    /// <paramref name="serverSettings"/> are more <c>name=value</c> server settings for a cluster started here (the
    /// benchmarks load <c>pg_stat_statements</c> through <c>shared_preload_libraries</c>, which only a start can set).
    /// </summary>
    public static async Task<LocalPostgres> StartAsync(string dataDirectory, int port, bool ephemeral, string database = "tickettoken",
        IReadOnlyList<string>? serverSettings = null, CancellationToken cancellationToken = default)
    {
        var bin = FindBinaries();
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(dataDirectory)!);

        // Several hosts may start at once (dapr run -f . starts every module): one initialises and starts
        // the server, the others wait here and then find it running.
        await using var gate = await LockAsync(dataDirectory + ".lock", cancellationToken);
        Directory.CreateDirectory(dataDirectory);
        GiveToServerUser(dataDirectory);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await RunAsync(bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", .. ephemeral ? new[] { "--no-sync" } : []], cancellationToken);
        }

        if (RunningPort(dataDirectory) is { } running && await CanConnectAsync(running, cancellationToken))
        {
            var reused = new LocalPostgres(dataDirectory, bin, running, ephemeral, startedHere: false, database);
            await reused.EnsureDatabaseAsync(database, cancellationToken);
            return reused;
        }

        if (port == 0)
        {
            port = FreePort();
        }

        var settings = new List<string>
        {
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=''",
            "-c", "max_connections=400",
        };
        if (ephemeral)
        {
            settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=128MB"]);
        }

        foreach (var setting in serverSettings ?? [])
        {
            settings.AddRange(["-c", setting]);
        }

        var log = Path.Combine(Path.GetDirectoryName(dataDirectory)!, Path.GetFileName(dataDirectory) + ".log");
        if (IsRoot)
        {
            File.WriteAllText(log, "");
            GiveToServerUser(log);
        }

        await RunAsync(bin, "pg_ctl", ["-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o", string.Join(' ', settings), "start"], cancellationToken);
        var server = new LocalPostgres(dataDirectory, bin, port, ephemeral, startedHere: true, database);
        await server.EnsureDatabaseAsync(database, cancellationToken);
        return server;
    }

    /// <summary>Creates a database (if missing) and returns its connection string.</summary>
    public async Task<string> EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        return ConnectionStringFor(database);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_startedHere || _disposed)
        {
            return;
        }

        _disposed = true;
        NpgsqlConnection.ClearAllPools();
        await RunAsync(_binDirectory, "pg_ctl", ["-D", _dataDirectory, "-w", "-t", "30", "-m", _ephemeral ? "immediate" : "fast", "stop"], CancellationToken.None);
        if (_ephemeral)
        {
            Directory.Delete(_dataDirectory, recursive: true);
            File.Delete(_dataDirectory + ".log");
            File.Delete(_dataDirectory + ".lock");
        }
    }

    /// <summary>
    /// Stops and deletes throwaway clusters named <c>{prefix}{pid}-...</c> whose owning process is gone
    /// (a test run that was killed, or whose exit handler did not get to finish).
    /// </summary>
    public static async Task RemoveAbandonedAsync(string parent, string prefix)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(parent, prefix + "*"))
        {
            var owner = Path.GetFileName(directory)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, CultureInfo.InvariantCulture, out var pid) || IsAlive(pid))
            {
                continue;
            }

            try
            {
                if (File.Exists(Path.Combine(directory, "postmaster.pid")))
                {
                    await RunAsync(FindBinaries(), "pg_ctl", ["-D", directory, "-m", "immediate", "stop"], CancellationToken.None);
                }
            }
            catch (InvalidOperationException)
            {
                // not running any more
            }

            try
            {
                Directory.Delete(directory, recursive: true);
                File.Delete(directory + ".log");
                File.Delete(directory + ".lock");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // someone else is cleaning up the same directory
            }
        }
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); // kept: deleting it would race
            }
            catch (IOException)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsRoot => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Environment.UserName == "root";

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (installed is not null)
        {
            return installed;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
        return onPath ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries found (initdb). Install them with 'sudo apt-get install -y postgresql' or set TICKETTOKEN__POSTGRES to a server you have.");
    }

    private static int? RunningPort(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        try
        {
            var lines = File.ReadAllLines(pidFile);
            return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            var cs = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Timeout = 3, Pooling = false }.ConnectionString;
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void GiveToServerUser(string path)
    {
        if (IsRoot)
        {
            Run("chown", ["-R", "postgres:postgres", path]);
        }
    }

    private static void Run(string file, IReadOnlyList<string> arguments)
    {
        using var process = Process.Start(Start(file, arguments))!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
        }
    }

    private static async Task RunAsync(string bin, string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(bin, tool);
        var info = IsRoot ? Start("runuser", ["-u", "postgres", "--", path, .. arguments]) : Start(path, arguments);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed (exit {process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static ProcessStartInfo Start(string file, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
