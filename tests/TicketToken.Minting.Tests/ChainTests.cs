using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;

namespace TicketToken.Minting.Tests;

/// <summary>The Solana backend against a real Solana runtime (LiteSVM), behind the real tickets module.</summary>
public sealed class ChainTests(ChainFixture fixture) : IClassFixture<ChainFixture>
{
    [SolanaFact]
    public async Task A_purchase_a_gift_and_a_resale_each_end_with_the_chain_owner_equal_to_the_database_owner()
    {
        var buyer = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();
        var reseller = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        var ticketId = tickets[0];

        await fixture.MirroredAsync(ticketId);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(ticketId);

        await fixture.GiftAsync(ticketId, buyer, friend);
        await fixture.MirroredAsync(ticketId);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(ticketId, buyer.UserId);
        (await fixture.DatabaseOwnerAsync(ticketId)).Should().Be(friend.UserId);

        await fixture.ResellAsync(ticketId, friend.UserId, reseller.UserId);
        await fixture.MirroredAsync(ticketId);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(ticketId, buyer.UserId, friend.UserId);
        (await fixture.DatabaseOwnerAsync(ticketId)).Should().Be(reseller.UserId);

        // The fan sees the token's address, their wallet and the transactions, which the chain confirms.
        var record = await fixture.RecordAsync(ticketId, reseller);
        var chain = record.GetProperty("chain");
        chain.GetProperty("mint").GetString().Should().Be((await fixture.MintOfAsync(ticketId))!.Value.ToString());
        chain.GetProperty("wallet").GetString().Should().Be((await fixture.WalletOfAsync(reseller.UserId))!.Value.ToString());
        var transactions = chain.GetProperty("transactions").EnumerateArray().ToList();
        transactions.Select(t => t.GetProperty("kind").GetString()).Should().Equal("mint", "transfer", "transfer");
        transactions.Should().OnlyContain(t => t.GetProperty("status").GetString() == "landed");
        var statuses = await fixture.Node.Rpc().GetSignatureStatusesAsync([.. transactions.Select(t => t.GetProperty("signature").GetString()!)], default);
        statuses.Should().OnlyContain(s => s != null && s.Error == null);

        using var metadata = await fixture.Client.GetAsync($"/api/minting/tokens/{chain.GetProperty("mint").GetString()}/metadata");
        var json = await metadata.Content.ReadFromJsonAsync<JsonElement>();
        json.GetProperty("description").GetString().Should().Contain("row C, seat 1");
    }

    [SolanaFact]
    public async Task A_refund_burns_the_token()
    {
        var buyer = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (orderId, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        await fixture.MirroredAsync(tickets[0]);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(tickets[0]);
        var mint = (await fixture.MintOfAsync(tickets[0]))!.Value;

        await fixture.RefundAsync(orderId);
        await fixture.MirroredAsync(tickets[0]);

        (await fixture.ChainBalanceAsync(await fixture.WalletOfAsync(buyer.UserId), mint)).Should().Be(0);
        var account = await fixture.Node.Rpc().GetAccountInfoAsync(mint, default);
        BitConverter.ToUInt64(account!.Data, 36).Should().Be(0, "the supply is 0: burned");
        (await fixture.Database.ScalarAsync<long>("select count(*) from minting.chain_operations where ticket_id = $1 and kind = 'burn' and status = 'landed'", tickets[0]))
            .Should().Be(1);
    }

    [SolanaFact]
    public async Task Tickets_issue_and_admit_at_the_gate_while_the_chain_is_down_and_the_backlog_drains_when_it_returns()
    {
        var buyer = await fixture.Personas.FanAsync();
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var venueId = await fixture.Personas.VenueAsync(admin, organizerId);
        var device = await fixture.Personas.DeviceAsync(admin, organizerId, venueId);
        // The doors are open: the event starts within scanning's default check-in window.
        var e = await fixture.EventAsync("Doors open", organizerId, venueId, DateTimeOffset.UtcNow.AddHours(1));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long?>("select version from scanning.events where id = $1", e.EventId) >= 1
            && await fixture.Database.ScalarAsync<long?>("select version from scanning.devices where id = $1", device.DeviceId) >= 1,
            "scanning heard of the event and the gate's device");
        await fixture.Node.StopAsync();
        IReadOnlyList<Guid> tickets;
        try
        {
            // The purchase completes and the tickets are valid for entry while nothing can reach the chain.
            (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId, seats: 3);
            foreach (var ticket in tickets)
            {
                (await fixture.Database.ScalarAsync<string>("select status from tickets.tickets where id = $1", ticket)).Should().Be(TicketStatuses.Active);
            }

            await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
                "select count(*) from minting.tickets where ticket_id = any($1) and attempts > 0 and last_error is not null and mirrored_sequence < sequence", tickets.ToArray()) == 3,
                "minting tried each ticket and failed while the chain was down");

            // The fan's app fetches the ticket's code secret and shows the current code; the gate's device scans it online.
            using var offline = await fixture.Client.SendAsync(buyer, HttpMethod.Get, $"/api/tickets/{tickets[0]}/offline");
            offline.StatusCode.Should().Be(HttpStatusCode.OK, await offline.Content.ReadAsStringAsync());
            var secretJson = await offline.Content.ReadFromJsonAsync<JsonElement>();
            var secret = Base64Url.DecodeFromChars(secretJson.GetProperty("secret").GetString());
            var step = secretJson.GetProperty("stepSeconds").GetInt32();
            await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<string?>("select status from scanning.tickets where id = $1", tickets[0]) == TicketStatuses.Active,
                "scanning sees the ticket active");
            using var scan = new HttpRequestMessage(HttpMethod.Post, "/api/scans")
            {
                Content = JsonContent.Create(new { eventId = e.EventId, code = TotpCode.Current(tickets[0], secret, DateTimeOffset.UtcNow, step), gate = "North 1", direction = "entry" }),
            };
            scan.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", device.AccessToken);
            using var scanned = await fixture.Client.SendAsync(scan);
            var scanBody = await scanned.Content.ReadAsStringAsync();
            scanned.StatusCode.Should().Be(HttpStatusCode.OK, scanBody);
            var result = JsonDocument.Parse(scanBody).RootElement;
            result.GetProperty("allowed").GetBoolean().Should().BeTrue("the ticket admits at the gate while its token is not minted: {0}", scanBody);
            (await fixture.Database.ScalarAsync<long>("select count(*) from minting.tickets where ticket_id = $1 and mirrored_sequence = 0", tickets[0]))
                .Should().Be(1, "the ticket was admitted before its token existed");
            (await fixture.Database.ScalarAsync<long>("select count(*) from minting.chain_operations where ticket_id = any($1) and status = 'landed'", tickets.ToArray()))
                .Should().Be(0, "nothing reached the chain");
        }
        finally
        {
            await fixture.Node.StartAsync();
        }

        foreach (var ticket in tickets)
        {
            await fixture.MirroredAsync(ticket);
            await fixture.ChainOwnerIsDatabaseOwnerAsync(ticket);
        }
    }

    [SolanaFact]
    public async Task A_transfer_dropped_on_the_way_is_repaired_by_reconciliation()
    {
        var buyer = await fixture.Personas.FanAsync();
        var friend = await fixture.Personas.FanAsync();
        var e = await fixture.EventAsync();
        var (_, tickets) = await fixture.PurchaseAsync(e, buyer.UserId);
        var ticketId = tickets[0];
        await fixture.MirroredAsync(ticketId);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(ticketId);
        var mint = (await fixture.MintOfAsync(ticketId))!.Value;

        await fixture.Node.DropNextAsync(1);
        await fixture.GiftAsync(ticketId, buyer, friend);
        await fixture.MirroredAsync(ticketId);
        (await fixture.Database.ScalarAsync<string>("select status from minting.chain_operations where ticket_id = $1 and kind = 'transfer'", ticketId)).Should().Be("sent");
        (await fixture.ChainBalanceAsync(await fixture.WalletOfAsync(buyer.UserId), mint)).Should().Be(1, "the node accepted the transfer but it never landed");

        await fixture.Node.ExpireBlockhashesAsync();
        var admin = await fixture.Personas.PlatformAdminAsync();
        using var run = await fixture.Client.SendAsync(admin, HttpMethod.Post, "/api/minting/reconciliation");
        run.EnsureSuccessStatusCode();
        var result = await run.Content.ReadFromJsonAsync<JsonElement>();
        result.GetProperty("findings").EnumerateArray().Should().Contain(f => f.GetProperty("ticketId").GetGuid() == ticketId && f.GetProperty("repaired").GetBoolean());

        await fixture.MirroredAsync(ticketId);
        await fixture.ChainOwnerIsDatabaseOwnerAsync(ticketId, buyer.UserId);
        (await fixture.Database.ScalarAsync<long>("select count(*) from minting.chain_operations where ticket_id = $1 and kind = 'transfer' and status = 'expired'", ticketId))
            .Should().Be(1);
        using var report = await fixture.Client.SendAsync(admin, HttpMethod.Get, "/api/minting/reconciliation");
        (await report.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runs").GetArrayLength().Should().BeGreaterThan(0);
    }
}
