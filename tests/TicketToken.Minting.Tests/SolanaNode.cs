using System.Net.Http.Json;
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
    /// <summary>The node: <c>solana-rpc/server.js</c> with its node_modules (scripts/test installs them).</summary>
    public static NodeTool Tool { get; } = new("TicketToken.Minting.Tests", "solana-rpc", "server.js", "litesvm");

    private readonly string _state = Path.Combine(Path.GetTempPath(), "tickettoken-litesvm-" + Guid.NewGuid().ToString("N"));
    private readonly NodeToolProcess _server = new(Tool, TimeSpan.FromMinutes(2));

    public int Port => _server.Port;

    public string RpcUrl => $"http://127.0.0.1:{Port}/";

    /// <summary>Why the node cannot run here, or null when it can.</summary>
    public static string? Unavailable => Tool.Unavailable;

    public bool Running => _server.Running;

    /// <summary>Our own client, pointed at the node.</summary>
    public SolanaRpc Rpc() => new(new HttpClient { BaseAddress = new Uri(RpcUrl), Timeout = TimeSpan.FromSeconds(60) });

    public Task StartAsync() => _server.StartAsync("--state", _state);

    /// <summary>Stops the node: the chain is down until <see cref="StartAsync"/>.</summary>
    public Task StopAsync() => _server.StopAsync();

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
