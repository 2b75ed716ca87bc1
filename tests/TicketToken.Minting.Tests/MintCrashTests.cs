using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Minting.Solana;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Minting.Tests;

/// <summary>
/// The real host executable (every module a purchase touches, and minting on the Solana backend) as a child process on a fresh
/// database and a real Solana runtime. The fault point <c>ExitAfterSend</c> makes the host kill itself (SIGKILL, no shutdown)
/// right after the node accepted the mint and before the answer is recorded, so the crash lands there by construction.
/// </summary>
public sealed class MintCrashFixture : ModuleHostFixture
{
    public SolanaNode Node { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Orders:TaxRates:DE"] = "1900",
        ["TicketToken:Payments:Gateway"] = "simulated",
        ["TicketToken:Payments:WebhookSecret"] = "whsec_minting_tests",
        ["TicketToken:Minting:Backend"] = "solana",
        ["TicketToken:Minting:PollInterval"] = "00:00:00.200",
        ["TicketToken:Minting:RetryInitialBackoff"] = "00:00:00.200",
        ["TicketToken:Minting:RetryMaxBackoff"] = "00:00:01",
        // The killed host leaves its claim on the ticket; the restarted one takes it over once the lease has run out
        // (2 minutes by default), which is what the test waits for, so a short one keeps the wait short.
        ["TicketToken:Minting:Lease"] = "00:00:10",
        ["TicketToken:Minting:Solana:RpcUrl"] = Node.RpcUrl,
        ["TicketToken:Minting:Solana:AirdropWhenLow"] = "true",
    };

    protected override string ChildProcessServices => "identity,catalog,inventory,orders,payments,tickets,minting";

    /// <summary>The node and the database; the host starts when a test says, with the fault point it chooses.</summary>
    public override async Task InitializeAsync()
    {
        if (SolanaNode.Unavailable is null)
        {
            await Node.StartAsync();
        }

        await Database.InitializeAsync();
    }

    /// <summary>Whether the child still answers (false once it killed itself).</summary>
    public async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public Task ForgetAsync() => KillAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Node.DisposeAsync();
    }
}

public sealed class MintCrashTests(MintCrashFixture fixture) : IClassFixture<MintCrashFixture>
{
    [SolanaFact]
    public async Task A_kill_between_sending_the_mint_and_recording_it_never_mints_twice()
    {
        await fixture.StartAsync(new Dictionary<string, string?> { ["TicketToken:Minting:ExitAfterSend"] = "true" });
        var personas = new Personas(fixture.Client);
        var (admin, organizerId) = await personas.OrganizerAdminAsync();
        var onSale = await OnSaleEvents.CreateAsync(fixture.Client, admin, organizerId);
        var fan = await personas.FanAsync();
        await BuyAsync(fan, onSale.EventId, "STALLS-B-1");

        // The host sent the mint and died before writing down the node's answer.
        await Eventually.TrueAsync(async () => !await fixture.AnswersAsync(), "the host killed itself at the fault point", TimeSpan.FromMinutes(3));
        var ticketId = await fixture.Database.ScalarAsync<Guid>("select id from tickets.tickets where owner_id = $1", fan.UserId);
        (await fixture.Database.ScalarAsync<string>("select status from minting.chain_operations where ticket_id = $1 and kind = 'mint'", ticketId))
            .Should().Be("signed", "the send was recorded as an intent, its answer never");
        var wallet = PublicKey.Parse((await fixture.Database.ScalarAsync<string>("select address from minting.wallets where owner_id = $1", fan.UserId))!);
        (await HeldAsync(wallet)).Should().Be(1, "the node executed the mint before the kill");
        await fixture.ForgetAsync();

        await fixture.StartAsync();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool?>(
            "select m.mirrored_sequence >= m.sequence and m.sequence = t.version from minting.tickets m join tickets.tickets t on t.id = m.ticket_id where m.ticket_id = $1",
            ticketId) == true, "minting caught up after the restart", TimeSpan.FromMinutes(3));

        (await fixture.Database.ScalarAsync<long>("select count(*) from minting.chain_operations where ticket_id = $1 and kind = 'mint'", ticketId))
            .Should().Be(1, "the restart looked the signature up instead of minting again");
        (await fixture.Database.ScalarAsync<string>("select status from minting.chain_operations where ticket_id = $1 and kind = 'mint'", ticketId)).Should().Be("landed");
        (await HeldAsync(wallet)).Should().Be(1, "one token, one mint, in the owner's wallet");
    }

    /// <summary>Every token the wallet holds, across all mints.</summary>
    private async Task<long> HeldAsync(PublicKey wallet) =>
        (await fixture.Node.Rpc().GetTokenAccountsByOwnerAsync(wallet, null, default)).Sum(a => (long)a.Amount);

    private async Task BuyAsync(Person fan, Guid eventId, string seat)
    {
        using var holding = await fixture.Client.SendAsync(fan, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { seats = new[] { seat } });
        holding.StatusCode.Should().Be(HttpStatusCode.Created, await holding.Content.ReadAsStringAsync());
        var holdId = (await holding.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("holdId").GetGuid();
        using var checkout = fan.Request(HttpMethod.Post, "/api/orders", new { eventId, holdId });
        checkout.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var checkedOut = await fixture.Client.SendAsync(checkout);
        checkedOut.StatusCode.Should().Be(HttpStatusCode.Accepted, await checkedOut.Content.ReadAsStringAsync());
        var orderId = (await checkedOut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        JsonElement payment = default;
        await Eventually.TrueAsync(async () =>
        {
            using var order = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{orderId}");
            payment = (await order.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("payment");
            return payment.ValueKind == JsonValueKind.Object && payment.GetProperty("clientSecret").ValueKind == JsonValueKind.String;
        }, "the order shows how to pay");
        using var confirm = await fixture.Client.SendAsync(fan, HttpMethod.Post,
            $"/api/payments/simulated/payment-intents/{payment.GetProperty("paymentIntentId").GetString()}/confirm",
            new { clientSecret = payment.GetProperty("clientSecret").GetString(), cardNumber = "4242424242424242" });
        confirm.StatusCode.Should().Be(HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());
    }
}
