using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TicketToken.Testing;

/// <summary>
/// A Node.js server a test project carries (<paramref name="Script"/> in <c>tests/{TestProject}/{Folder}</c>, with its npm
/// package <paramref name="Package"/> installed there by <c>scripts/test</c>), for real parts that exist only on npm.
/// </summary>
public sealed record NodeTool(string TestProject, string Folder, string Script, string Package)
{
    private readonly Lazy<string> _directory = new(() => FindDirectory(TestProject, Folder, Script));

    /// <summary>Where the script lives, with its node_modules.</summary>
    public string Directory => _directory.Value;

    /// <summary>Why the tool cannot run here, or null when it can.</summary>
    public string? Unavailable =>
        ToolFactAttribute.Find("node") is null ? "'node' is not on PATH (Debian package nodejs)"
        : !File.Exists(Path.Combine(Directory, Script)) ? $"{Script} is not found in tests/{TestProject}/{Folder} above {AppContext.BaseDirectory}"
        : !System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", Package)) ? $"{Package} is not installed in {Directory} (scripts/test runs npm there)"
        : null;

    private static string FindDirectory(string testProject, string folder, string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", testProject, folder);
            if (File.Exists(Path.Combine(candidate, script)))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, folder);
    }
}

/// <summary>
/// One running <see cref="NodeTool"/>: a child process on a free loopback port that says <c>listening</c> on its first line
/// once it serves. It can be stopped (connections are refused) and started again on the same port.
/// </summary>
public sealed class NodeToolProcess(NodeTool tool, TimeSpan startTimeout) : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();

    public bool Running => _process is { HasExited: false };

    /// <summary>Starts <c>node {script} --port {port} {arguments}</c> and waits until it listens.</summary>
    public async Task StartAsync(params string[] arguments)
    {
        if (Running)
        {
            return;
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = tool.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[tool.Script, "--port", Port.ToString(CultureInfo.InvariantCulture), .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(startTimeout);
        if (line?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"{tool.Script} did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>Stops the server (the process this object started, by its own id).</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
