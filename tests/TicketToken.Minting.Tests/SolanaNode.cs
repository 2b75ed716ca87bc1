using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using TicketToken.Minting.Solana;

namespace TicketToken.Minting.Tests;

/// <summary>
/// A real Solana runtime for the tests: <c>solana-rpc/server.js</c>, a JSON-RPC server over LiteSVM (npm <c>litesvm</c>: Solana's SVM
/// with the SPL Token, Associated Token Account and Memo programs), started as a child process on a loopback port like PostgreSQL is.
/// Its ledger is kept in a file, so it can be stopped (the chain is down: connections refused) and started again on the same port
/// with everything it had.
/// </summary>
public sealed class SolanaNode : IAsyncDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "tickettoken-litesvm-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; } = FreePort();

    public string RpcUrl => $"http://127.0.0.1:{Port}/";

    public static string ScriptDirectory { get; } = FindScriptDirectory();

    /// <summary>Why the node cannot run here, or null when it can.</summary>
    public static string? Unavailable =>
        ToolFactAttribute.Find("node") is null ? "'node' is not on PATH (Debian package nodejs)"
        : !Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "litesvm")) ? $"litesvm is not installed in {ScriptDirectory} (scripts/test runs npm ci there)"
        : null;

    public bool Running => _process is { HasExited: false };

    /// <summary>Our own client, pointed at the node.</summary>
    public SolanaRpc Rpc() => new(new HttpClient { BaseAddress = new Uri(RpcUrl), Timeout = TimeSpan.FromSeconds(60) });

    public async Task StartAsync()
    {
        if (Running)
        {
            return;
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["server.js", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", _state])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (line?.StartsWith("listening", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"The Solana node did not start: {line} {await _process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>Stops the node (the process this fixture started, by its own id): the chain is down until <see cref="StartAsync"/>.</summary>
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

    /// <summary>The next <paramref name="count"/> transactions are answered with their signature but never executed (lost on the way to the leader).</summary>
    public Task DropNextAsync(int count) => ControlAsync("tt_dropNext", count);

    /// <summary>Moves the block height past every blockhash handed out so far: a transaction that has not landed never will.</summary>
    public Task ExpireBlockhashesAsync() => ControlAsync("tt_expireBlockhash");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var file in new[] { _state, _state + ".json" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    private async Task ControlAsync(string method, params object[] parameters)
    {
        using var http = new HttpClient { BaseAddress = new Uri(RpcUrl) };
        using var response = await http.PostAsJsonAsync("", new JsonObject
        {
            ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = new JsonArray([.. parameters.Select(p => JsonValue.Create(p))]),
        });
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        body!["error"].Should().BeNull(method + " should succeed");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindScriptDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "TicketToken.Minting.Tests", "solana-rpc");
            if (File.Exists(Path.Combine(candidate, "server.js")))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "solana-rpc");
    }
}

/// <summary>A test that needs the Solana node; skipped with the reason printed when node or litesvm is missing.</summary>
public sealed class SolanaFactAttribute : FactAttribute
{
    public SolanaFactAttribute()
    {
        if (SolanaNode.Unavailable is { } reason)
        {
            Skip = $"SKIPPED: {reason}; with it this test runs our transactions on LiteSVM.";
        }
    }
}
