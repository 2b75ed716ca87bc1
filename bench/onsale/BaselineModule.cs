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

    /// <summary>The seats, a row each, seeded by the benchmark before each on-sale.</summary>
    public static readonly RowPerSeat Seats = new(Schema);

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

    private static async Task<Results<Created<HoldResponse>, ProblemHttpResult>> CreateHold(Guid eventId, HoldRequest request, Caller caller,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Id)] NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        var holdId = Guid.NewGuid();
        var expiresAt = time.GetUtcNow() + RowPerSeat.HoldDuration;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var held = new List<string>();

        if (request.Seats is { Count: > 0 } wanted)
        {
            var seats = wanted.Distinct().ToArray();
            if (await Seats.HoldAsync(connection, transaction, eventId, seats, holdId, caller.RequiredUserId, expiresAt, cancellationToken) != seats.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.SeatUnavailable, "Some of these seats are taken.");
            }

            held.AddRange(seats);
        }

        if (request.Best is { Quantity: > 0 } best)
        {
            var run = await Seats.BestAvailableAsync(connection, transaction, eventId, best.Section ?? "", best.Quantity, cancellationToken);
            if (run is null || await Seats.HoldAsync(connection, transaction, eventId, run, holdId, caller.RequiredUserId, expiresAt, cancellationToken) != run.Length)
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
}
