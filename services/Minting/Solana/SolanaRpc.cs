using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.Minting.Solana;

/// <summary>A JSON-RPC error answered by the node (e.g. -32002 preflight failure), with its data for the log.</summary>
public sealed class SolanaRpcException(int code, string message, string? data) : Exception($"Solana RPC error {code}: {message} {data}")
{
    public int Code { get; } = code;

    public string? ErrorData { get; } = data;
}

public sealed record LatestBlockhash(PublicKey Blockhash, ulong LastValidBlockHeight);

public sealed record SignatureStatus(ulong Slot, string? ConfirmationStatus, string? Error);

public sealed record AccountInfo(ulong Lamports, PublicKey Owner, byte[] Data);

public sealed record TokenAccount(PublicKey Address, PublicKey Mint, PublicKey Owner, ulong Amount);

/// <summary>
/// The Solana JSON-RPC methods minting needs, over one <see cref="HttpClient"/> (its resilience handler retries transport failures;
/// here a node's answer, success or error, is final). Commitment <c>confirmed</c>: minting chains steps on each other's results.
/// </summary>
public sealed class SolanaRpc(HttpClient http)
{
    private const string Commitment = "confirmed";
    private long _id;

    public async Task<LatestBlockhash> GetLatestBlockhashAsync(CancellationToken cancellationToken)
    {
        var value = (await CallAsync("getLatestBlockhash", [new JsonObject { ["commitment"] = Commitment }], cancellationToken))!["value"]!;
        return new LatestBlockhash(PublicKey.Parse(value["blockhash"]!.GetValue<string>()), value["lastValidBlockHeight"]!.GetValue<ulong>());
    }

    public async Task<ulong> GetBlockHeightAsync(CancellationToken cancellationToken) =>
        (await CallAsync("getBlockHeight", [new JsonObject { ["commitment"] = Commitment }], cancellationToken))!.GetValue<ulong>();

    /// <summary>Sends the signed wire bytes (base64); the node's answer is the signature it accepted, which says nothing about landing.</summary>
    public async Task<string> SendTransactionAsync(SignedTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var result = await CallAsync("sendTransaction",
            [Convert.ToBase64String(transaction.Wire), new JsonObject { ["encoding"] = "base64", ["preflightCommitment"] = Commitment }], cancellationToken);
        return result!.GetValue<string>();
    }

    public async Task<IReadOnlyList<SignatureStatus?>> GetSignatureStatusesAsync(IReadOnlyList<string> signatures, CancellationToken cancellationToken)
    {
        var result = await CallAsync("getSignatureStatuses",
            [new JsonArray([.. signatures.Select(s => (JsonNode)s)]), new JsonObject { ["searchTransactionHistory"] = true }], cancellationToken);
        return [.. result!["value"]!.AsArray().Select(s => s is null ? null : new SignatureStatus(
            s["slot"]!.GetValue<ulong>(), s["confirmationStatus"]?.GetValue<string>(), s["err"] is { } err ? err.ToJsonString() : null))];
    }

    public async Task<AccountInfo?> GetAccountInfoAsync(PublicKey address, CancellationToken cancellationToken)
    {
        var value = (await CallAsync("getAccountInfo", [address.ToString(), new JsonObject { ["encoding"] = "base64", ["commitment"] = Commitment }], cancellationToken))!["value"];
        return value is null ? null : ToAccount(value);
    }

    public async Task<ulong> GetBalanceAsync(PublicKey address, CancellationToken cancellationToken) =>
        (await CallAsync("getBalance", [address.ToString(), new JsonObject { ["commitment"] = Commitment }], cancellationToken))!["value"]!.GetValue<ulong>();

    public async Task<ulong> GetMinimumBalanceForRentExemptionAsync(int size, CancellationToken cancellationToken) =>
        (await CallAsync("getMinimumBalanceForRentExemption", [size], cancellationToken))!.GetValue<ulong>();

    /// <summary>The owner's SPL Token accounts, decoded from the account layout (mint 0..32, owner 32..64, amount 64..72).</summary>
    public async Task<IReadOnlyList<TokenAccount>> GetTokenAccountsByOwnerAsync(PublicKey owner, PublicKey? mint, CancellationToken cancellationToken)
    {
        JsonObject filter = mint is { } m ? new JsonObject { ["mint"] = m.ToString() } : new JsonObject { ["programId"] = Programs.Token.ToString() };
        var value = (await CallAsync("getTokenAccountsByOwner", [owner.ToString(), filter, new JsonObject { ["encoding"] = "base64", ["commitment"] = Commitment }],
            cancellationToken))!["value"]!.AsArray();
        return [.. value.Select(v => ParseTokenAccount(PublicKey.Parse(v!["pubkey"]!.GetValue<string>()), ToAccount(v["account"]!).Data)).OfType<TokenAccount>()];
    }

    /// <summary>The token accounts of <paramref name="mint"/> with the largest balances (for a supply-1 mint: who holds it).</summary>
    public async Task<IReadOnlyList<(PublicKey Address, ulong Amount)>> GetTokenLargestAccountsAsync(PublicKey mint, CancellationToken cancellationToken)
    {
        var value = (await CallAsync("getTokenLargestAccounts", [mint.ToString(), new JsonObject { ["commitment"] = Commitment }], cancellationToken))!["value"]!.AsArray();
        return [.. value.Select(v => (PublicKey.Parse(v!["address"]!.GetValue<string>()), ulong.Parse(v["amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)))];
    }

    public async Task<string> RequestAirdropAsync(PublicKey address, ulong lamports, CancellationToken cancellationToken) =>
        (await CallAsync("requestAirdrop", [address.ToString(), lamports, new JsonObject { ["commitment"] = Commitment }], cancellationToken))!.GetValue<string>();

    public static TokenAccount? ParseTokenAccount(PublicKey address, byte[] data) =>
        data.Length < 72 ? null : new TokenAccount(address, new PublicKey(data.AsSpan(0, 32)), new PublicKey(data.AsSpan(32, 32)),
            BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(64, 8)));

    private static AccountInfo ToAccount(JsonNode value) =>
        new(value["lamports"]!.GetValue<ulong>(), PublicKey.Parse(value["owner"]!.GetValue<string>()), Convert.FromBase64String(value["data"]![0]!.GetValue<string>()));

    private async Task<JsonNode?> CallAsync(string method, JsonArray parameters, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = method, ["params"] = parameters };
        using var response = await http.PostAsJsonAsync("", request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? throw new JsonException($"{method}: an empty answer.");
        if (body["error"] is { } error)
        {
            throw new SolanaRpcException(error["code"]?.GetValue<int>() ?? 0, error["message"]?.GetValue<string>() ?? "", error["data"]?.ToJsonString());
        }

        return body["result"];
    }
}
