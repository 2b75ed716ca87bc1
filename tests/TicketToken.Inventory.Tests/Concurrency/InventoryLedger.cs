using System.Text.Json;
using Npgsql;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Inventory.Tests.Concurrency;

/// <summary>A seat as the section actor's state has it: who claims it, until when, and whether it was sold.</summary>
public sealed record ClaimedSeat(string SeatId, Guid HoldId, Guid BuyerId, DateTimeOffset ExpiresAt, Guid? OrderId)
{
    public bool Sold => OrderId is not null;

    public bool LiveAt(DateTimeOffset at) => Sold || ExpiresAt > at;
}

/// <summary>A hold as the buyer's actor state has it.</summary>
public sealed record RecordedHold(Guid BuyerId, Guid HoldId, string Status, IReadOnlyList<string> Seats, IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, Guid? OrderId)
{
    public bool Sold => Status == "sold"; // as the buyer's actor stores it

    public bool LiveAt(DateTimeOffset at) => Sold || ExpiresAt > at;
}

/// <summary>General-admission places as the ticket type's actor state has them.</summary>
public sealed record ClaimedPlaces(Guid TicketTypeId, Guid HoldId, Guid BuyerId, int Quantity, DateTimeOffset ExpiresAt, Guid? OrderId)
{
    public bool Sold => OrderId is not null;

    public bool LiveAt(DateTimeOffset at) => Sold || ExpiresAt > at;
}

/// <summary>
/// One event's inventory read straight from <c>runtime.actor_state</c> (the JSON the runtime committed), not through
/// the module: what the invariants are checked against after a storm or a crash.
/// </summary>
public sealed class InventoryLedger
{
    private InventoryLedger(DateTimeOffset readAt)
    {
        ReadAt = readAt;
    }

    /// <summary>The database's clock when the rows were read (the host runs on the same machine).</summary>
    public DateTimeOffset ReadAt { get; }

    /// <summary>Every sellable (not blocked) seat of the event, from the section layouts.</summary>
    public List<string> Seats { get; } = [];

    /// <summary>Claims by seat id; a seat without an entry is free.</summary>
    public Dictionary<string, ClaimedSeat> Claims { get; } = new(StringComparer.Ordinal);

    public List<RecordedHold> Holds { get; } = [];

    public List<ClaimedPlaces> Places { get; } = [];

    /// <summary>Capacity per general-admission ticket type.</summary>
    public Dictionary<Guid, int> Capacities { get; } = [];

    public static async Task<InventoryLedger> ReadAsync(string connectionString, Guid eventId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // One statement, so the rows and the clock come from one snapshot.
        await using var command = new NpgsqlCommand("""
            select actor_type, actor_id, key, convert_from(value, 'UTF8'), clock_timestamp()
            from runtime.actor_state
            where actor_type = any($1) and actor_id like $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = new[] { InventoryActors.Section, InventoryActors.BuyerHolds, InventoryActors.GeneralAdmission } });
        command.Parameters.Add(new NpgsqlParameter { Value = $"{eventId:N}.%" });
        var rows = new List<(string Type, string Id, string Key, string Json)>();
        DateTimeOffset readAt = default;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                readAt = reader.GetFieldValue<DateTimeOffset>(4);
            }
        }

        var ledger = new InventoryLedger(readAt == default ? DateTimeOffset.UtcNow : readAt);
        foreach (var section in rows.Where(r => r.Type == InventoryActors.Section).GroupBy(r => r.Id))
        {
            ledger.AddSection(section.ToDictionary(r => r.Key, r => r.Json, StringComparer.Ordinal));
        }

        // A buyer's holds are one key each (hold:{id}), listed in its index.
        foreach (var buyerRows in rows.Where(r => r.Type == InventoryActors.BuyerHolds).GroupBy(r => r.Id))
        {
            var buyer = Guid.ParseExact(buyerRows.Key[(buyerRows.Key.IndexOf('.', StringComparison.Ordinal) + 1)..], "N");
            var index = buyerRows.Where(r => r.Key == "index").Select(r => Parse<List<Guid>>(r.Json)).SingleOrDefault() ?? [];
            foreach (var hold in buyerRows.Where(r => r.Key.StartsWith("hold:", StringComparison.Ordinal)).Select(r => Parse<HoldJson>(r.Json)))
            {
                index.Should().Contain(hold.HoldId, "every stored hold is in its buyer's index");
                ledger.Holds.Add(new RecordedHold(buyer, hold.HoldId, hold.Status, [.. hold.Seats.Select(s => s.Id)], hold.GeneralAdmission,
                    hold.CreatedAt, hold.ExpiresAt, hold.OrderId));
            }
        }

        foreach (var type in rows.Where(r => r.Type == InventoryActors.GeneralAdmission).GroupBy(r => r.Id))
        {
            var layout = type.Single(r => r.Key == "layout");
            var typeLayout = Parse<GeneralAdmissionLayoutJson>(layout.Json);
            ledger.Capacities[typeLayout.TicketTypeId] = typeLayout.Capacity;
            foreach (var bucket in type.Where(r => r.Key.StartsWith("holds:", StringComparison.Ordinal)))
            {
                foreach (var (holdId, claim) in Parse<Dictionary<Guid, PlaceClaimJson>>(bucket.Json))
                {
                    ledger.Places.Add(new ClaimedPlaces(typeLayout.TicketTypeId, holdId, claim.BuyerId, claim.Quantity, claim.ExpiresAt, claim.OrderId));
                }
            }
        }

        return ledger;
    }

    /// <summary>Seats claimed and not yet sold whose hold has run out: what the expiry reminders must clear.</summary>
    public IReadOnlyList<ClaimedSeat> ExpiredUnsoldClaims(DateTimeOffset at) => [.. Claims.Values.Where(c => !c.LiveAt(at))];

    public IReadOnlyList<ClaimedPlaces> ExpiredUnsoldPlaces(DateTimeOffset at) => [.. Places.Where(p => !p.LiveAt(at))];

    /// <summary>
    /// What must be true of the state whatever happened: buyers' live holds never share a seat, each of their seats
    /// is claimed in its section by that very hold (sold to the same order when sold), and general admission never
    /// has more places live than its capacity.
    /// </summary>
    public List<string> Violations(DateTimeOffset at)
    {
        var violations = new List<string>();
        var live = Holds.Where(h => h.LiveAt(at)).ToList();
        foreach (var shared in live.SelectMany(h => h.Seats.Distinct().Select(seat => (Seat: seat, Hold: h))).GroupBy(x => x.Seat).Where(g => g.Count() > 1))
        {
            violations.Add($"seat {shared.Key} is in {shared.Count()} live buyer holds: {string.Join(", ", shared.Select(x => Describe(x.Hold)))}");
        }

        foreach (var hold in live)
        {
            foreach (var seat in hold.Seats.Distinct())
            {
                if (!Claims.TryGetValue(seat, out var claim))
                {
                    violations.Add($"seat {seat} of live hold {Describe(hold)} is free in its section");
                }
                else if (claim.HoldId != hold.HoldId)
                {
                    violations.Add($"seat {seat} of live hold {Describe(hold)} is claimed in its section by hold {claim.HoldId} ({(claim.Sold ? "sold" : "held")})");
                }
                else if (hold.Sold != claim.Sold || (hold.Sold && claim.OrderId != hold.OrderId))
                {
                    violations.Add($"seat {seat} of hold {Describe(hold)} is {(claim.Sold ? $"sold to order {claim.OrderId}" : "only held")} in its section");
                }
            }
        }

        foreach (var claim in Claims.Values.Where(c => c.Sold))
        {
            if (live.FirstOrDefault(h => h.HoldId != claim.HoldId && h.Seats.Contains(claim.SeatId)) is { } other)
            {
                violations.Add($"seat {claim.SeatId} is sold (hold {claim.HoldId}, order {claim.OrderId}) and also in live hold {Describe(other)}");
            }
        }

        foreach (var (type, capacity) in Capacities)
        {
            var taken = Places.Where(p => p.TicketTypeId == type && p.LiveAt(at)).Sum(p => p.Quantity);
            if (taken > capacity)
            {
                violations.Add($"general admission {type}: {taken} places held or sold, capacity {capacity}");
            }

            var promised = live.SelectMany(h => h.GeneralAdmission).Where(g => g.TicketTypeId == type).Sum(g => g.Quantity);
            if (promised > capacity)
            {
                violations.Add($"general admission {type}: buyers' live holds add up to {promised} places, capacity {capacity}");
            }
        }

        return violations;
    }

    private static string Describe(RecordedHold hold) =>
        $"{hold.HoldId} (buyer {hold.BuyerId:N}, {hold.Status}, expires {hold.ExpiresAt:HH:mm:ss.fff})";

    private void AddSection(Dictionary<string, string> keys)
    {
        if (!keys.TryGetValue("layout", out var layoutJson))
        {
            return;
        }

        var rows = Parse<SectionLayoutJson>(layoutJson).Rows.OrderBy(r => r.Index).ToList();
        Seats.AddRange(rows.SelectMany(r => r.Seats).Where(s => !s.Blocked).Select(s => s.Id));
        for (var row = 0; row < rows.Count; row++)
        {
            if (!keys.TryGetValue($"holds:{row}", out var rowJson))
            {
                continue;
            }

            foreach (var claim in Parse<List<RowClaimJson>>(rowJson))
            {
                foreach (var offset in claim.Seats)
                {
                    var seat = rows[row].Seats[offset].Id;
                    Claims.Should().NotContainKey(seat, "a seat is stored in at most one hold of its row");
                    Claims[seat] = new ClaimedSeat(seat, claim.HoldId, claim.BuyerId, claim.ExpiresAt, claim.OrderId);
                }
            }
        }
    }

    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, RuntimeJson.Options)
        ?? throw new InvalidOperationException($"Unreadable actor state: {json}");

    // The shapes of the state as stored, declared here so the check does not trust the module's own types.
    private sealed record SectionLayoutJson(List<RowJson> Rows);

    private sealed record RowJson(int Index, List<SeatJson> Seats);

    private sealed record SeatJson(string Id, bool Blocked);

    private sealed record RowClaimJson(Guid HoldId, Guid BuyerId, DateTimeOffset ExpiresAt, Guid? OrderId, int[] Seats);

    private sealed record HoldJson(Guid HoldId, string Status, List<SeatIdJson> Seats, List<GeneralAdmissionQuantity> GeneralAdmission,
        DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, Guid? OrderId);

    private sealed record SeatIdJson(string Id);

    private sealed record GeneralAdmissionLayoutJson(Guid TicketTypeId, int Capacity);

    private sealed record PlaceClaimJson(Guid BuyerId, int Quantity, DateTimeOffset ExpiresAt, Guid? OrderId);
}
