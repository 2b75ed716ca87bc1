using Npgsql;

namespace TicketToken.Bench;

/// <summary>
/// How the older platform held seats, which the on-sale and sell-out baselines both measure against: a row per seat
/// (<c>Migrations/0001_row_per_seat.sql</c>, linked into each baseline module's migrations), its status changed in
/// place under row locks. One instance per baseline, on that module's <paramref name="schema"/>.
/// </summary>
public sealed class RowPerSeat(string schema)
{
    /// <summary>How many available seats best-available locks and looks at for an adjacent run.</summary>
    public const int Window = 64;

    public static readonly TimeSpan HoldDuration = TimeSpan.FromMinutes(10);

    /// <summary>Seeds one event's seats: every seat available.</summary>
    public async Task SeedAsync(NpgsqlDataSource database, Guid eventId, IEnumerable<(string SeatId, string Section, int Row, int Number)> seats)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using (var import = await connection.BeginBinaryImportAsync(
            $"copy {schema}.seats (event_id, seat_id, section, row_index, seat_number, status) from stdin (format binary)"))
        {
            foreach (var (seatId, section, row, number) in seats)
            {
                await import.StartRowAsync();
                await import.WriteAsync(eventId, NpgsqlTypes.NpgsqlDbType.Uuid);
                await import.WriteAsync(seatId, NpgsqlTypes.NpgsqlDbType.Text);
                await import.WriteAsync(section, NpgsqlTypes.NpgsqlDbType.Text);
                await import.WriteAsync(row, NpgsqlTypes.NpgsqlDbType.Integer);
                await import.WriteAsync(number, NpgsqlTypes.NpgsqlDbType.Integer);
                await import.WriteAsync("available", NpgsqlTypes.NpgsqlDbType.Text);
            }

            await import.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand($"analyze {schema}.seats", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The first run of <paramref name="quantity"/> adjacent available seats of a section, or null: locks a window of the
    /// section's available seats in quality order (skipping seats other holds are deciding on right now); the caller's
    /// commit releases the rest.
    /// </summary>
    public async Task<string[]?> BestAvailableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string section, int quantity,
        CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand($"""
            select seat_id, row_index, seat_number from {schema}.seats
            where event_id = $1 and section = $2 and status = 'available'
            order by row_index, seat_number
            limit {Window}
            for update skip locked
            """, connection, transaction);
        select.Parameters.Add(new NpgsqlParameter { Value = eventId });
        select.Parameters.Add(new NpgsqlParameter { Value = section });
        var window = new List<(string Id, int Row, int Number)>(Window);
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                window.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
            }
        }

        return AdjacentRun(window, quantity);
    }

    /// <summary>The all-or-nothing statement: the caller rolls back unless every seat was updated.</summary>
    public async Task<int> HoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string[] seats, Guid holdId, Guid buyerId,
        DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand($"""
            update {schema}.seats set status = 'held', hold_id = $3, buyer_id = $4, expires_at = $5
            where event_id = $1 and seat_id = any($2) and status = 'available'
            """, connection, transaction);
        update.Parameters.Add(new NpgsqlParameter { Value = eventId });
        update.Parameters.Add(new NpgsqlParameter { Value = seats });
        update.Parameters.Add(new NpgsqlParameter { Value = holdId });
        update.Parameters.Add(new NpgsqlParameter { Value = buyerId });
        update.Parameters.Add(new NpgsqlParameter { Value = expiresAt });
        return await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string[]? AdjacentRun(List<(string Id, int Row, int Number)> window, int quantity)
    {
        for (var start = 0; start + quantity <= window.Count; start++)
        {
            var adjacent = true;
            for (var i = 1; i < quantity && adjacent; i++)
            {
                adjacent = window[start + i].Row == window[start].Row && window[start + i].Number == window[start].Number + i;
            }

            if (adjacent)
            {
                return [.. window.Skip(start).Take(quantity).Select(s => s.Id)];
            }
        }

        return null;
    }
}
