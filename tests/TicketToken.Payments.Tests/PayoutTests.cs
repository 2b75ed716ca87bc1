using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Testing;

namespace TicketToken.Payments.Tests;

/// <summary>
/// Payouts to organizers' connected accounts (simulated gateway): only money past the hold period, only from the
/// minimum, per currency, and never more than the payable balance, also when runs overlap. A run's time is passed in,
/// so "a week later" needs no waiting.
/// </summary>
public sealed class PayoutTests(PaymentsFixture fixture) : IClassFixture<PaymentsFixture>
{
    private static readonly OrderAmounts Sale = new(FaceValue: 10_000, Discount: 1_000, Fees: 1_500, Tax: 800, Total: 11_300);
    private static readonly TimeSpan PastTheHold = TimeSpan.FromDays(PaymentsFixture.HoldDays) + TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Only_money_posted_longer_ago_than_the_hold_period_is_paid_out()
    {
        var (admin, organizerId, accountId) = await fixture.ConnectedOrganizerAsync();
        await fixture.ConfirmOrderAsync(organizerId, Sale, 358);

        var now = await RunAsync(organizerId, DateTimeOffset.UtcNow);
        using var heldRequest = admin.Request(HttpMethod.Get, $"/api/payments/organizers/{organizerId}/balance");
        var held = (await (await fixture.Client.SendAsync(heldRequest)).ShouldBeAsync(HttpStatusCode.OK)).GetProperty("balances")[0];
        var later = await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold);

        now.Should().BeEmpty("the sale was posted a moment ago");
        held.GetProperty("balance").GetInt64().Should().Be(9_000);
        held.GetProperty("available").GetInt64().Should().Be(0);
        held.GetProperty("onHold").GetInt64().Should().Be(9_000);
        var payout = later.Should().ContainSingle().Subject;
        payout.Should().BeEquivalentTo(new { OrganizerId = organizerId, AccountId = accountId, Currency = "usd", Amount = 9_000L, Status = PayoutRun.Paid });
        payout.TransferId.Should().StartWith("tr_sim_");
        (await PayableAsync(organizerId)).Should().Be(0);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.simulated_requests where idempotency_key = $1 and fingerprint like 'POST /api/payments/simulated/stripe/v1/transfers?%'", payout.Id.ToString()))
            .Should().Be(1, "the transfer's idempotency key is the payout id");
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
        var announced = await fixture.Events.WaitForAsync(PayoutPaid.Topic, e => e.GetProperty("payoutId").GetGuid() == payout.Id);
        announced.GetProperty("organizerId").GetGuid().Should().Be(organizerId);
        announced.GetProperty("amount").GetInt64().Should().Be(9_000);
        announced.GetProperty("transferId").GetString().Should().Be(payout.TransferId, "organizers' webhooks hear of the payout once it is paid");

        using var listRequest = admin.Request(HttpMethod.Get, $"/api/payments/organizers/{organizerId}/payouts");
        var listed = await (await fixture.Client.SendAsync(listRequest)).ShouldBeAsync(HttpStatusCode.OK);
        listed.GetProperty("items").EnumerateArray().Select(p => (p.GetProperty("id").GetGuid(), p.Text("status"), p.GetProperty("amount").GetInt64()))
            .Should().Equal((payout.Id, "paid", 9_000L));
    }

    [Fact]
    public async Task Nothing_below_the_minimum_is_paid_out_until_the_balance_reaches_it()
    {
        var (_, organizerId, _) = await fixture.ConnectedOrganizerAsync();
        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(900, 0, 0, 0, 900), 0);

        var below = await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold);
        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(200, 0, 0, 0, 200), 0);
        var reached = await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold);

        below.Should().BeEmpty($"900 is below the minimum of {PaymentsFixture.MinimumPayout}");
        reached.Should().ContainSingle().Which.Amount.Should().Be(1_100);
    }

    [Fact]
    public async Task Concurrent_runs_never_pay_out_more_than_the_payable_balance()
    {
        var (_, organizerId, accountId) = await fixture.ConnectedOrganizerAsync();
        for (var i = 0; i < 3; i++)
        {
            await fixture.ConfirmOrderAsync(organizerId, Sale, 358);
        }

        var asOf = DateTimeOffset.UtcNow + PastTheHold;
        var runs = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => RunAsync(organizerId, asOf))));

        var paid = runs.SelectMany(r => r).DistinctBy(p => p.Id).ToList();
        paid.Sum(p => p.Amount).Should().Be(27_000);
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.payouts where organizer_id = $1", organizerId)).Should().Be(27_000);
        (await PayableAsync(organizerId)).Should().Be(0, "everything owed was paid, and not a cent more");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum((body ->> 'amount')::bigint), 0) from payments.simulated_objects where object = 'transfer' and body ->> 'destination' = $1",
            accountId)).Should().Be(27_000, "the gateway moved exactly the payable balance");
        (await fixture.UnbalancedTransactionsAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Each_currency_is_paid_out_on_its_own()
    {
        var (_, organizerId, _) = await fixture.ConnectedOrganizerAsync();
        await fixture.ConfirmOrderAsync(organizerId, Sale, 358, "usd");
        await fixture.ConfirmOrderAsync(organizerId, new OrderAmounts(5_000, 0, 500, 0, 5_500), 190, "eur");

        var payouts = await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold);

        payouts.Select(p => (p.Currency, p.Amount)).Should().BeEquivalentTo([("eur", 5_000L), ("usd", 9_000L)]);
        (await fixture.Database.ScalarAsync<long>("""
            select count(*) from payments.journal_transactions t
            where t.source_type = 'payout' and (select count(distinct e.currency) from payments.journal_entries e where e.transaction_id = t.id) <> 1
            """)).Should().Be(0, "currencies never mix within a transaction");
    }

    [Fact]
    public async Task An_organizer_without_a_connected_account_is_not_paid_out()
    {
        var (_, organizerId) = await fixture.Personas.OrganizerAdminAsync("Not onboarded");
        await fixture.ConfirmOrderAsync(organizerId, Sale, 358);

        var payouts = await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold);

        payouts.Should().BeEmpty();
        (await PayableAsync(organizerId)).Should().Be(9_000);
    }

    [Fact]
    public async Task A_platform_admin_can_run_the_payouts_now_and_nothing_within_the_hold_period_moves()
    {
        var (_, organizerId, _) = await fixture.ConnectedOrganizerAsync();
        await fixture.ConfirmOrderAsync(organizerId, Sale, 358);
        var operator_ = await fixture.Personas.PlatformAdminAsync();

        using var request = operator_.Request(HttpMethod.Post, "/api/payments/payouts/run");
        using var response = await fixture.Client.SendAsync(request);

        var run = await response.ShouldBeAsync(HttpStatusCode.OK);
        run.GetProperty("payouts").EnumerateArray().Should().NotContain(p => p.GetProperty("organizerId").GetGuid() == organizerId);
        (await PayableAsync(organizerId)).Should().Be(9_000);
    }

    [Fact]
    public async Task The_payouts_list_pages_newest_first()
    {
        var (admin, organizerId, _) = await fixture.ConnectedOrganizerAsync();
        var made = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            await fixture.ConfirmOrderAsync(organizerId, Sale, 358);
            made.Add((await RunAsync(organizerId, DateTimeOffset.UtcNow + PastTheHold)).Single().Id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            using var request = admin.Request(HttpMethod.Get, $"/api/payments/organizers/{organizerId}/payouts?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            var page = await (await fixture.Client.SendAsync(request)).ShouldBeAsync(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        seen.Should().Equal(Enumerable.Reverse(made));
    }

    private Task<IReadOnlyList<Payout>> RunAsync(Guid organizerId, DateTimeOffset asOf) =>
        fixture.InScopeAsync(services => services.GetRequiredService<PayoutRun>().RunAsync(organizerId, asOf, CancellationToken.None));

    /// <summary>What the ledger says the platform owes the organizer (a credit balance, so the sum's negation).</summary>
    private Task<long> PayableAsync(Guid organizerId) =>
        fixture.Database.ScalarAsync<long>("select coalesce(-sum(amount), 0) from payments.journal_entries where account = $1", LedgerAccounts.OrganizerPayable(organizerId));
}
