using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Orders.Tests;

/// <summary>
/// The money and ticket invariants, read from the database after a journey (DESIGN.md section 5, invariants 2 and 5):
/// every ledger transaction sums to zero; the tickets issued are the seats sold; every succeeded payment has tickets or a refund.
/// </summary>
public static class Invariants
{
    public static async Task CheckAsync(PostgresDatabase database, HttpClient client, Guid eventId)
    {
        (await database.ScalarAsync<long>("""
            select count(*) from (select transaction_id from payments.journal_entries group by transaction_id having sum(amount) <> 0) unbalanced
            """)).Should().Be(0, "every ledger transaction sums to zero");

        var sold = (await client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{eventId}/seats"))
            .EnumerateArray().SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .Where(s => s.Text("status") == "sold").Select(s => s.Text("id")).Order().ToList();
        var ticketed = await database.ScalarAsync<string?>(
            "select string_agg(seat_id, ',' order by seat_id) from tickets.tickets where event_id = $1 and status in ('issued', 'active', 'checked_in') and seat_id is not null", eventId);
        (ticketed?.Split(',') ?? []).Order().Should().Equal(sold, "the live tickets of the event are exactly its sold seats");

        (await database.ScalarAsync<long>("""
            select count(*) from payments.payments p
            where p.status = 'succeeded'
              and not exists (select 1 from tickets.tickets t where t.order_id = p.order_id and t.status in ('active', 'checked_in', 'refunded'))
              and not exists (select 1 from payments.refunds r where r.order_id = p.order_id and r.status = 'succeeded')
            """)).Should().Be(0, "every succeeded payment ends in tickets or a refund");
    }
}
