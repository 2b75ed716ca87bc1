using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Bench.Onsale;

/// <summary>
/// Holds the way the older platform made them: a row per seat, changed in place inside one transaction, all or
/// nothing. Bench only: it runs in the same host, behind the same authentication, on the same database and
/// connection pool as inventory, so the two differ only in how a hold is decided and stored.
/// </summary>
public sealed class BaselineModule : Module
{
    public const string Id = "bench-baseline";
    public const string Schema = "bench_baseline";

    /// <summary>How many available seats best-available locks and looks at for an adjacent run.</summary>
    private const int Window = 64;

    private static readonly TimeSpan HoldDuration = TimeSpan.FromMinutes(10);

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module) => module.AddMigrations(Schema);

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Fan tokens, exactly as inventory's own route requires them: the JWT check costs both sides the same.
        endpoints.MapPost("/bench/baseline/events/{eventId:guid}/holds", CreateHold).WithName("BaselineCreateHold")
            .WithSummary("Bench only: holds seats in a row-per-seat table with UPDATE ... WHERE status = 'available'.")
            .RequireAuthorization(Policies.Fan);
        endpoints.MapPost("/bench/baseline/events/{eventId:guid}/refusals", Refuse).WithName("BaselineRefuse")
            .WithSummary("Bench only: reads a hold request and refuses it without any work, to measure what HTTP, the token check and JSON cost alone.")
            .RequireAuthorization(Policies.Fan);
    }

    public sealed record HoldRequest(IReadOnlyList<string>? Seats, BestRequest? Best);

    public sealed record BestRequest(int Quantity, string? Section);

    public sealed record HeldSeatId(string Id);

    public sealed record HoldResponse(Guid HoldId, IReadOnlyList<HeldSeatId> Seats);

    /// <summary>Seeds one event's seats: every seat available.</summary>
    public static async Task SeedAsync(NpgsqlDataSource database, Guid eventId, IEnumerable<(string SeatId, string Section, int Row, int Number)> seats)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using (var import = await connection.BeginBinaryImportAsync(
            $"copy {Schema}.seats (event_id, seat_id, section, row_index, seat_number, status) from stdin (format binary)"))
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

        await using var analyze = new NpgsqlCommand($"analyze {Schema}.seats", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static async Task<Results<Created<HoldResponse>, ProblemHttpResult>> CreateHold(Guid eventId, HoldRequest request, Caller caller,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Id)] NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        var holdId = Guid.NewGuid();
        var expiresAt = time.GetUtcNow() + HoldDuration;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var held = new List<string>();

        if (request.Seats is { Count: > 0 } wanted)
        {
            var seats = wanted.Distinct().ToArray();
            if (await HoldAsync(connection, transaction, eventId, seats, holdId, caller.RequiredUserId, expiresAt, cancellationToken) != seats.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.SeatUnavailable, "Some of these seats are taken.");
            }

            held.AddRange(seats);
        }

        if (request.Best is { Quantity: > 0 } best)
        {
            // Lock a window of the section's available seats in quality order (skipping seats other holds are deciding
            // on right now), take the first run of N adjacent ones, release the rest at commit.
            await using var select = new NpgsqlCommand($"""
                select seat_id, row_index, seat_number from {Schema}.seats
                where event_id = $1 and section = $2 and status = 'available'
                order by row_index, seat_number
                limit {Window}
                for update skip locked
                """, connection, transaction);
            select.Parameters.Add(new NpgsqlParameter { Value = eventId });
            select.Parameters.Add(new NpgsqlParameter { Value = best.Section ?? "" });
            var window = new List<(string Id, int Row, int Number)>(Window);
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    window.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
                }
            }

            var run = AdjacentRun(window, best.Quantity);
            if (run is null || await HoldAsync(connection, transaction, eventId, run, holdId, caller.RequiredUserId, expiresAt, cancellationToken) != run.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.NotEnoughSeats, "Not enough seats together there.");
            }

            held.AddRange(run);
        }

        if (held.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Create(StatusCodes.Status400BadRequest, HoldFailures.InvalidRequest, "Ask for at least one seat.");
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/bench/baseline/events/{eventId}/holds/{holdId}", new HoldResponse(holdId, [.. held.Select(s => new HeldSeatId(s))]));
    }

    private static ProblemHttpResult Refuse(Guid eventId, HoldRequest request, Caller caller) =>
        Problems.Create(StatusCodes.Status409Conflict, HoldFailures.SeatUnavailable, $"Refused without looking ({request.Seats?.Count ?? request.Best?.Quantity} for {caller.RequiredUserId}).");

    /// <summary>The all-or-nothing statement: the caller rolls back unless every seat was updated.</summary>
    private static async Task<int> HoldAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid eventId, string[] seats, Guid holdId, Guid buyerId,
        DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand($"""
            update {Schema}.seats set status = 'held', hold_id = $3, buyer_id = $4, expires_at = $5
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
