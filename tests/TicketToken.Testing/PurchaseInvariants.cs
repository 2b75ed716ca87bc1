using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace TicketToken.Testing;

/// <summary>
/// The money and ticket invariants of DESIGN.md section 5 (2 and 5), read from the database after a purchase run, for
/// the end-to-end tests and bench/purchase alike: every ledger transaction sums to zero; the live tickets of an event
/// are exactly its sold seats; every succeeded payment has tickets or a refund. Answers what is wrong (empty: nothing).
/// </summary>
public static class PurchaseInvariants
{
    public static async Task<IReadOnlyList<string>> CheckAsync(string connectionString, HttpClient client, Guid eventId)
    {
        var problems = new List<string>();
        await using var db = NpgsqlDataSource.Create(connectionString);
        var unbalanced = await ScalarAsync(db, """
            select count(*) from (select transaction_id from payments.journal_entries group by transaction_id having sum(amount) <> 0) unbalanced
            """);
        if (unbalanced > 0)
        {
            problems.Add($"{unbalanced} ledger transaction(s) do not sum to zero");
        }

        var sold = (await client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{eventId}/seats")).EnumerateArray()
            .SelectMany(s => s.GetProperty("seats").EnumerateArray())
            .Where(s => s.GetProperty("status").GetString() == "sold").Select(s => s.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        var ticketed = new List<string>();
        await using (var command = db.CreateCommand("select seat_id from tickets.tickets where event_id = $1 and status in ('issued', 'active', 'checked_in') and seat_id is not null"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = eventId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                ticketed.Add(reader.GetString(0));
            }
        }

        problems.AddRange(ticketed.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => $"seat {g.Key} has {g.Count()} live tickets"));
        problems.AddRange(ticketed.Where(s => !sold.Contains(s)).Select(s => $"seat {s} has a live ticket but is not sold"));
        problems.AddRange(sold.Where(s => !ticketed.Contains(s)).Select(s => $"seat {s} is sold but has no live ticket"));

        var unaccounted = await ScalarAsync(db, """
            select count(*) from payments.payments p
            where p.status = 'succeeded'
              and not exists (select 1 from tickets.tickets t where t.order_id = p.order_id and t.status in ('active', 'checked_in', 'refunded'))
              and not exists (select 1 from payments.refunds r where r.order_id = p.order_id and r.status = 'succeeded')
            """);
        if (unaccounted > 0)
        {
            problems.Add($"{unaccounted} succeeded payment(s) have neither tickets nor a refund");
        }

        return problems;
    }

    private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
