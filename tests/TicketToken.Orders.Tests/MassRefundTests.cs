using System.Net;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>
/// Cancelling an event refunds every paid order, in the real host executable killed with SIGKILL in the middle: the
/// fault injection point (<c>StallRefundsAfter</c>) lets exactly four refunds finish and stops the others right after
/// the gateway returned their money and before their orders recorded it, so the kill lands there by construction.
/// </summary>
public sealed class MassRefundTests(CrashJourneyFixture fixture) : IClassFixture<CrashJourneyFixture>
{
    private const int Orders = 12;
    private const int FinishedBeforeTheKill = 4;

    [Fact]
    public async Task Cancelling_an_event_refunds_every_paid_order_once_across_a_kill_and_the_ledger_sums_to_zero()
    {
        await fixture.KillAsync();
        await fixture.StartAsync(new Dictionary<string, string?> { ["TicketToken:Orders:StallRefundsAfter"] = FinishedBeforeTheKill.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var (admin, organizerId, eventId) = await fixture.OnSaleEventAsync(("Floor", 3_000, 40));
        var floor = await fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);
        var orders = new List<Guid>();
        Person? fan = null;
        for (var i = 0; i < Orders; i++)
        {
            fan = i % 3 == 0 ? await fixture.Personas.FanAsync() : fan!;
            var hold = await fixture.HoldAsync(fan, eventId, new { generalAdmission = new[] { new { ticketTypeId = floor, quantity = 1 + (i % 2) } } });
            var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
            await fixture.PayAsync(fan, orderId, "4242424242424242");
            await fixture.OrderReachesAsync(fan, orderId, "confirmed");
            orders.Add(orderId);
        }

        using (var comp = admin.Request(HttpMethod.Post, $"/api/orders/organizers/{organizerId}/events/{eventId}/comps",
            new { guests = new[] { new { name = "Press", reason = "press", ticketType = "Floor" } } }))
        {
            comp.Headers.Add("Idempotency-Key", "press");
            using var issued = await fixture.Client.SendAsync(comp);
            await fixture.OrderReachesAsync(admin, (await issued.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid(), "confirmed");
        }

        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where source_type = 'order_sale' and order_id = any($1)",
            orders.ToArray()) == Orders, "the ledger posted every sale");
        await fixture.PostAsync(admin, $"/api/events/{eventId}/cancel", new { reason = "The venue flooded.", feePolicy = "refund" }, HttpStatusCode.OK);
        await Eventually.TrueAsync(async () =>
            await fixture.Database.ScalarAsync<long>("select count(*) from orders.refunds where cause = 'event_cancelled' and status = 'succeeded'") == FinishedBeforeTheKill
            && await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where order_id = any($1)", orders.ToArray()) == Orders,
            "every refund reached the gateway and all but the first four stopped before their order recorded it", TimeSpan.FromMinutes(3));
        var midway = await ProgressAsync(admin, organizerId, eventId);

        await fixture.KillAsync();
        await fixture.StartAsync();
        await Eventually.TrueAsync(async () => (await ProgressAsync(admin, organizerId, eventId)).GetProperty("refunded").GetInt32() == Orders,
            "the refunds resumed after the restart", TimeSpan.FromMinutes(3));
        await fixture.DrainAsync();

        midway.GetProperty("orders").GetInt32().Should().Be(Orders, "the comp has nothing to refund");
        midway.GetProperty("refunded").GetInt32().Should().Be(FinishedBeforeTheKill);
        midway.GetProperty("pending").GetInt32().Should().Be(Orders - FinishedBeforeTheKill);
        var done = await ProgressAsync(admin, organizerId, eventId);
        done.GetProperty("pending").GetInt32().Should().Be(0);
        done.GetProperty("failed").GetInt32().Should().Be(0);
        var paid = await fixture.Database.ScalarAsync<long>("select sum(total) from orders.orders where id = any($1)", orders.ToArray());
        done.GetProperty("amountRefunded").GetInt64().Should().Be(paid, "fees refunded too, as the organizer chose");
        (await fixture.Database.ScalarAsync<long>("select count(*) from (select order_id from payments.refunds where order_id = any($1) group by order_id having count(*) > 1) twice",
            orders.ToArray())).Should().Be(0, "no order was refunded twice at the gateway");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.refunds where order_id = any($1) and status = 'succeeded'", orders.ToArray()))
            .Should().Be(paid);
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.orders where id = any($1) and status = 'refunded'", orders.ToArray())).Should().Be(Orders);
        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.journal_transactions where source_type = 'order_refund' and order_id = any($1)", orders.ToArray()))
            .Should().Be(Orders, "each refund reversed once");
        (await fixture.Database.ScalarAsync<long>("""
            select coalesce(sum(e.amount), 0) from payments.journal_entries e join payments.journal_transactions t on t.id = e.transaction_id
            where t.order_id = any($1) and e.account = 'cash'
            """, orders.ToArray())).Should().Be(0, "every cent that came in went back");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0, "the ledger sums to zero");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where event_id = $1 and status in ('active', 'issued')", eventId))
            .Should().Be(0, "no ticket of a cancelled event admits");
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.refunds r join orders.orders o on o.id = r.order_id where o.kind = 'comp'")).Should().Be(0);
    }

    private async Task<JsonElement> ProgressAsync(Person admin, Guid organizerId, Guid eventId)
    {
        using var response = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/cancellation");
        return response.StatusCode == HttpStatusCode.NotFound ? JsonDocument.Parse("""{ "refunded": -1 }""").RootElement : await response.ShouldBeAsync(HttpStatusCode.OK);
    }
}
