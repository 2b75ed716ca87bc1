using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TicketToken.Minting.Solana;
using TicketToken.Testing.Identity;

namespace TicketToken.Minting.Tests;

/// <summary>
/// The Solana backend with a clock the tests can move forward (real time behind an offset; an hour behind at the start, so the
/// access tokens identity signs with it are never "not yet valid" to the bearer check), and every log entry kept.
/// </summary>
public sealed class WalletExportFixture : ChainFixture
{
    public MovableClock Clock { get; } = new(TimeSpan.FromHours(-1));

    public CapturedLogs Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:AccessTokenLifetime"] = "03:00:00",
        // Every request of these tests comes from 127.0.0.1: the per-fan limit is the one under test.
        ["TicketToken:Minting:MaxWalletExportAttemptsPerAddress"] = "100000",
    };

    protected override Action<WebApplicationBuilder> Configure => builder =>
    {
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(Logs);
    };
}

/// <summary>The system clock shifted by an offset the test sets: timers run in real time, "now" jumps when told.</summary>
public sealed class MovableClock(TimeSpan offset) : TimeProvider
{
    private long _offsetTicks = offset.Ticks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>Every entry the host logs, rendered with its structured properties and exception.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public string Text => string.Join('\n', _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} "
                + (state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : "") + $" {exception}");
    }
}

/// <summary>
/// A fan exports their custodial wallet's key only with a fresh re-authentication proof of their own account and session
/// (ADR 0025); the exported key is the one the chain says holds their ticket, and Solana's runtime accepts its signature.
/// </summary>
public sealed class WalletExportTests(WalletExportFixture fixture) : IClassFixture<WalletExportFixture>
{
    private const ulong Sol = 1_000_000_000;

    [SolanaFact]
    public async Task With_a_fresh_proof_the_exported_key_is_the_chain_owner_of_the_fans_ticket_and_the_runtime_accepts_its_transfer()
    {
        var (fan, ticketId, wallet, mint) = await FanWithTokenAsync();
        var proof = await ReauthenticateAsync(fan);

        using var response = await ExportAsync(fan, wallet, proof);

        var exported = await response.ShouldBeAsync(HttpStatusCode.OK);
        response.Headers.CacheControl?.NoStore.Should().BeTrue("a secret key must not sit in any cache");
        exported.Text("address").Should().Be(wallet.ToString());
        var secretKey = SimpleBase.Base58.Bitcoin.Decode(exported.Text("secretKey"));
        secretKey.Should().HaveCount(64);
        exported.GetProperty("keypair").EnumerateArray().Select(b => (byte)b.GetInt32()).Should().Equal(secretKey, "solana-keygen's JSON array holds the same 64 bytes");
        var keypair = Keypair.FromSecretKey(secretKey);
        keypair.PublicKey.Should().Be(wallet);
        var holdings = await fixture.Node.Rpc().GetTokenAccountsByOwnerAsync(keypair.PublicKey, mint, default);
        holdings.Should().ContainSingle(a => a.Amount == 1, "the chain says the exported key's address holds the ticket's token");

        // The fan's own wallet app, with the exported key, moves the token; the runtime checks the owner's signature.
        var rpc = fixture.Node.Rpc();
        var payer = Keypair.Generate();
        await rpc.RequestAirdropAsync(payer.PublicKey, Sol, default);
        var elsewhere = Keypair.Generate();
        var blockhash = await rpc.GetLatestBlockhashAsync(default);
        var transfer = SignedTransaction.Sign(TransactionMessage.Compile(payer.PublicKey, blockhash.Blockhash,
        [
            Programs.CreateAssociatedTokenAccountIdempotent(payer.PublicKey, elsewhere.PublicKey, mint),
            Programs.TransferChecked(Programs.AssociatedTokenAddress(keypair.PublicKey, mint), mint, Programs.AssociatedTokenAddress(elsewhere.PublicKey, mint),
                keypair.PublicKey, 1, 0),
        ]), [payer, keypair]);
        var signature = await rpc.SendTransactionAsync(transfer, default);
        (await rpc.GetSignatureStatusesAsync([signature], default)).Should().ContainSingle().Which!.Error.Should().BeNull();
        (await rpc.GetTokenAccountsByOwnerAsync(elsewhere.PublicKey, mint, default)).Sum(a => (long)a.Amount).Should().Be(1);

        (await fixture.Database.ScalarAsync<string>("select outcome from minting.wallet_export_attempts where fan_id = $1", fan.UserId)).Should().Be("exported");
        (await fixture.Database.ScalarAsync<bool>("select exported_at is not null from minting.wallets where owner_id = $1", fan.UserId)).Should().BeTrue();
        fixture.Logs.Text.Should().Contain(wallet.ToString(), "the export is logged by address")
            .And.NotContain(exported.Text("secretKey")).And.NotContain(Convert.ToHexString(keypair.Seed())).And.NotContain(Convert.ToBase64String(keypair.Seed()));

        // The database still decides who enters; reconciliation reports the token it no longer holds instead of fighting over it.
        var admin = await fixture.Personas.PlatformAdminAsync();
        using var run = await fixture.Client.SendAsync(admin, HttpMethod.Post, "/api/minting/reconciliation");
        var findings = (await run.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("findings").EnumerateArray().ToList();
        findings.Should().Contain(f => f.GetProperty("ticketId").GetGuid() == ticketId && !f.GetProperty("repaired").GetBoolean());
    }

    [SolanaFact]
    public async Task Without_a_proof_or_with_anything_but_a_proof_the_export_is_refused()
    {
        var (fan, _, wallet, _) = await FanWithTokenAsync();

        using (var none = await ExportAsync(fan, wallet, null))
        {
            await none.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "reauthentication_required");
        }

        using (var accessToken = await ExportAsync(fan, wallet, fan.AccessToken))
        {
            await accessToken.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "reauthentication_invalid");
        }

        var proof = await ReauthenticateAsync(fan);
        var forged = proof[..^4] + (proof[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using (var tampered = await ExportAsync(fan, wallet, forged))
        {
            await tampered.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "reauthentication_invalid");
        }

        // And the proof is no access token: no route takes it as one (this host's clock is behind, so the bearer check may
        // see it as expired before it sees the wrong type; Identity's tests show the type refusal on a real clock).
        using var asBearer = await fixture.Client.SendAsync(fan with { AccessToken = proof }, HttpMethod.Get, "/api/me");
        asBearer.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Problem.ReadAsync(asBearer)).Code.Should().BeOneOf("invalid_token", "token_expired");

        (await fixture.Database.ScalarAsync<long>("select count(*) from minting.wallet_export_attempts where fan_id = $1 and outcome <> 'exported'", fan.UserId))
            .Should().Be(3, "every refused attempt is audited");
        (await fixture.Database.ScalarAsync<bool>("select exported_at is null from minting.wallets where owner_id = $1", fan.UserId)).Should().BeTrue();
    }

    [SolanaFact]
    public async Task A_proof_older_than_five_minutes_is_refused_and_a_fresh_one_then_works()
    {
        var (fan, _, wallet, _) = await FanWithTokenAsync();
        var proof = await ReauthenticateAsync(fan);

        fixture.Clock.Advance(TimeSpan.FromMinutes(6));
        using (var stale = await ExportAsync(fan, wallet, proof))
        {
            await stale.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "reauthentication_expired");
        }

        using var fresh = await ExportAsync(fan, wallet, await ReauthenticateAsync(fan));
        (await fresh.ShouldBeAsync(HttpStatusCode.OK)).Text("address").Should().Be(wallet.ToString());
    }

    [SolanaFact]
    public async Task Another_accounts_proof_is_refused_and_another_fans_wallet_is_not_found()
    {
        var (fan, _, wallet, _) = await FanWithTokenAsync();
        var other = await fixture.Personas.FanAsync();
        var othersProof = await ReauthenticateAsync(other);

        using (var borrowed = await ExportAsync(fan, wallet, othersProof))
        {
            await borrowed.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "reauthentication_mismatch");
        }

        using (var foreign = await ExportAsync(other, wallet, othersProof))
        {
            await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "wallet_not_found");
        }

        // A proof of the same account but another session (another device) does not carry over either.
        var secondSession = await fixture.Personas.LoginAsync(fan.Email);
        using (var otherSession = await ExportAsync(fan, wallet, await ReauthenticateAsync(secondSession)))
        {
            await otherSession.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "reauthentication_mismatch");
        }

        using (var notAnAddress = await ExportAsync(fan, "not-a-wallet", await ReauthenticateAsync(fan)))
        {
            await notAnAddress.ShouldBeProblemAsync(HttpStatusCode.NotFound, "wallet_not_found");
        }

        (await fixture.Database.ScalarAsync<bool>("select exported_at is null from minting.wallets where owner_id = $1", fan.UserId)).Should().BeTrue();
    }

    [SolanaFact]
    public async Task Attempts_past_the_limit_are_locked_out_like_sign_in_until_the_window_passes()
    {
        var (fan, _, wallet, _) = await FanWithTokenAsync();
        var options = new MintingOptions();
        for (var attempt = 0; attempt < options.MaxWalletExportAttempts; attempt++)
        {
            using var refused = await ExportAsync(fan, wallet, null);
            await refused.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "reauthentication_required");
        }

        using (var locked = await ExportAsync(fan, wallet, await ReauthenticateAsync(fan)))
        {
            await locked.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "too_many_attempts");
            locked.Headers.RetryAfter?.Delta.Should().BePositive();
        }

        fixture.Clock.Advance(options.WalletExportWindow);
        using var after = await ExportAsync(fan, wallet, await ReauthenticateAsync(fan));
        await after.ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Re_authentication_with_a_wrong_password_gives_no_proof_and_counts_as_a_failed_sign_in()
    {
        var fan = await fixture.Personas.FanAsync();

        using var wrong = await fixture.Client.SendAsync(fan, HttpMethod.Post, "/api/auth/reauthenticate", new { password = "not the password at all" });

        await wrong.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        (await fixture.Database.ScalarAsync<int?>("select attempts from identity.throttles where key = 'login:account:' || encode(sha256(convert_to($1, 'UTF8')), 'hex')",
            fan.Email.ToLowerInvariant())).Should().Be(1, "the same counter as sign-in: a stolen access token buys no extra guesses");
    }

    private async Task<(Person Fan, Guid TicketId, PublicKey Wallet, PublicKey Mint)> FanWithTokenAsync()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, fan.UserId);
        await fixture.MirroredAsync(tickets[0]);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(tickets[0]);
        var record = await fixture.RecordAsync(tickets[0], fan);
        var wallet = PublicKey.Parse(record.GetProperty("chain").Text("wallet"));
        return (fan, tickets[0], wallet, (await fixture.MintOfAsync(tickets[0]))!.Value);
    }

    private async Task<string> ReauthenticateAsync(Person person)
    {
        using var response = await fixture.Client.SendAsync(person, HttpMethod.Post, "/api/auth/reauthenticate", new { password = person.Password });
        var body = await response.ShouldBeAsync(HttpStatusCode.OK);
        body.GetProperty("expiresIn").GetInt32().Should().Be(300);
        return body.Text("proof");
    }

    private Task<HttpResponseMessage> ExportAsync(Person person, PublicKey wallet, string? proof) => ExportAsync(person, wallet.ToString(), proof);

    private Task<HttpResponseMessage> ExportAsync(Person person, string address, string? proof) =>
        fixture.Client.SendAsync(person, HttpMethod.Post, $"/api/minting/wallets/{address}/export", new { reauthenticationProof = proof });
}
