using System.Text.Json;
using Npgsql;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Bench.Onsale;

/// <summary>
/// Counts oversold seats from the database after an on-sale: seats whose committed state disagrees with what a fan
/// was told (claimed by another hold, or free), seats in two live holds, and seats two 201s both named.
/// </summary>
public static class Oversell
{
    public sealed record Report(int SeatsClaimed, int Oversold, IReadOnlyList<string> Examples);

    /// <summary>Inventory: section claims and buyers' holds as the runtime committed them in <c>runtime.actor_state</c>.</summary>
    public static async Task<Report> ActorsAsync(NpgsqlDataSource database, Guid eventId, Venue venue, IReadOnlyList<AcknowledgedHold> acknowledged)
    {
        var claims = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var holdsBySeat = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        await using (var command = database.CreateCommand("""
            select actor_type, actor_id, key, convert_from(value, 'UTF8') from runtime.actor_state
            where actor_type = any($1) and actor_id like $2 and (key like 'holds:%' or key like 'hold:%')
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = new[] { InventoryActors.Section, InventoryActors.BuyerHolds } });
            command.Parameters.Add(new NpgsqlParameter { Value = $"{eventId:N}.%" });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var (type, id, key, json) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                if (type == InventoryActors.Section)
                {
                    // Rows are stored in index order, seats in seat order: offset n of row r is seat {section}-{r+1}-{n+1}.
                    var section = Array.IndexOf(venue.Codes, id[(id.IndexOf('.', StringComparison.Ordinal) + 1)..]);
                    var row = int.Parse(key["holds:".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    foreach (var claim in JsonSerializer.Deserialize<List<RowClaimJson>>(json, RuntimeJson.Options)!)
                    {
                        foreach (var offset in claim.Seats)
                        {
                            if (!claims.TryAdd(venue.SeatId(section, row, offset), claim.HoldId))
                            {
                                claims[venue.SeatId(section, row, offset)] = Guid.Empty; // stored twice in its row: counted as a conflict below
                            }
                        }
                    }
                }
                else
                {
                    foreach (var hold in new[] { JsonSerializer.Deserialize<HoldJson>(json, RuntimeJson.Options)! }.Where(h => h.ExpiresAt > DateTimeOffset.UtcNow || h.Status == "sold"))
                    {
                        foreach (var seat in hold.Seats.Select(s => s.Id).Distinct())
                        {
                            (holdsBySeat.TryGetValue(seat, out var list) ? list : holdsBySeat[seat] = []).Add(hold.HoldId);
                        }
                    }
                }
            }
        }

        var problems = new List<string>();
        problems.AddRange(holdsBySeat.Where(s => s.Value.Count > 1).Select(s => $"seat {s.Key} is in {s.Value.Count} live buyer holds"));
        problems.AddRange(holdsBySeat.Where(s => !claims.TryGetValue(s.Key, out var claim) || !s.Value.Contains(claim))
            .Select(s => $"seat {s.Key} of buyer hold {s.Value[0]} is {(claims.TryGetValue(s.Key, out var other) ? $"claimed by {other}" : "free")} in its section"));
        problems.AddRange(Acknowledged(acknowledged, claims));
        return new Report(claims.Count, problems.Count, [.. problems.Take(5)]);
    }

    /// <summary>The baseline: the seats table.</summary>
    public static async Task<Report> BaselineAsync(NpgsqlDataSource database, Guid eventId, IReadOnlyList<AcknowledgedHold> acknowledged)
    {
        var claims = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await using (var command = database.CreateCommand($"select seat_id, hold_id from {BaselineModule.Schema}.seats where event_id = $1 and status <> 'available'"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = eventId });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                claims[reader.GetString(0)] = reader.GetGuid(1);
            }
        }

        var problems = Acknowledged(acknowledged, claims);
        return new Report(claims.Count, problems.Count, [.. problems.Take(5)]);
    }

    /// <summary>Every seat of every 201 is claimed by that very hold, and no seat was in two 201s (nothing expires or is released here).</summary>
    private static List<string> Acknowledged(IReadOnlyList<AcknowledgedHold> acknowledged, Dictionary<string, Guid> claims)
    {
        var problems = new List<string>();
        problems.AddRange(acknowledged.SelectMany(h => h.Seats.Distinct().Select(s => (Seat: s, h.HoldId))).GroupBy(x => x.Seat).Where(g => g.Count() > 1)
            .Select(g => $"seat {g.Key} was acknowledged to {g.Count()} holds"));
        problems.AddRange(acknowledged.SelectMany(h => h.Seats.Select(s => (Seat: s, h.HoldId)))
            .Where(x => !claims.TryGetValue(x.Seat, out var claim) || claim != x.HoldId)
            .Select(x => $"seat {x.Seat} of acknowledged hold {x.HoldId} is {(claims.TryGetValue(x.Seat, out var other) ? $"claimed by {other}" : "free")} in the database"));
        return problems;
    }

    private sealed record RowClaimJson(Guid HoldId, int[] Seats);

    private sealed record HoldJson(Guid HoldId, string Status, List<SeatIdJson> Seats, DateTimeOffset ExpiresAt);

    private sealed record SeatIdJson(string Id);
}
