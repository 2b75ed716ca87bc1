using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Bench.Sellout;

/// <summary>
/// A sale the way the older platform made it: holds on a row per seat (as <c>bench/onsale</c>'s baseline), then one
/// synchronous request that marks the hold's seats sold, writes the order, charges the card, writes the payment, the
/// tickets and the two ledger entries, all in one transaction, and answers with the tickets. Bench only: same host,
/// same fan tokens, same database and pool as the modules. It does less than they do (the card is approved in-process
/// instead of through a gateway and its webhook, no events, no expiry, no per-account limits, no receipts), so the
/// comparison flatters it.
/// </summary>
public sealed class BaselineModule : Module
{
    public const string Id = "bench-sellout-baseline";
    public const string Schema = "bench_sellout";
    public const long PricePerSeat = 5_000;

    /// <summary>The seats, a row each, seeded by the benchmark before each sell-out.</summary>
    public static readonly RowPerSeat Seats = new(Schema);

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module) => module.AddMigrations(Schema);

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/bench/sellout/events/{eventId:guid}/holds", CreateHold).WithName("SelloutBaselineCreateHold")
            .WithSummary("Bench only: holds the best adjacent seats of a section in a row-per-seat table.")
            .RequireAuthorization(Policies.Fan);
        endpoints.MapPost("/bench/sellout/orders", Purchase).WithName("SelloutBaselinePurchase")
            .WithSummary("Bench only: order, payment, tickets and ledger for a hold in one synchronous transaction.")
            .RequireAuthorization(Policies.Fan);
    }

    public sealed record BestRequest(int Quantity, string Section);

    public sealed record HoldResponse(Guid HoldId, IReadOnlyList<string> Seats);

    public sealed record PurchaseRequest(Guid EventId, Guid HoldId, string CardNumber);

    public sealed record PurchaseResponse(Guid Id, string Status, long Total, IReadOnlyList<string> Tickets);

    private static async Task<Results<Created<HoldResponse>, ProblemHttpResult>> CreateHold(Guid eventId, BestRequest best, Caller caller,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Id)] NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (best.Quantity is < 1 or > 8)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, HoldFailures.InvalidRequest, "Ask for one to eight seats.");
        }

        var holdId = Guid.NewGuid();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var run = await Seats.BestAvailableAsync(connection, transaction, eventId, best.Section, best.Quantity, cancellationToken);
        if (run is null)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.NotEnoughSeats, "Not enough seats together there.");
        }

        if (await Seats.HoldAsync(connection, transaction, eventId, run, holdId, caller.RequiredUserId, time.GetUtcNow() + RowPerSeat.HoldDuration, cancellationToken) != run.Length)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.SeatUnavailable, "Some of these seats are taken.");
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/bench/sellout/events/{eventId}/holds/{holdId}", new HoldResponse(holdId, run));
    }

    private static async Task<Results<Created<PurchaseResponse>, ProblemHttpResult>> Purchase(PurchaseRequest request, Caller caller,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Id)] NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey) || request.CardNumber is not { Length: >= 12 } card)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "bench.invalid_purchase", "An Idempotency-Key and a card number are required.");
        }

        var now = time.GetUtcNow();
        var orderId = Guid.NewGuid();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The hold's seats become the order's, or nothing happens: the seats must still be this buyer's hold.
        await using var sell = new NpgsqlCommand($"""
            update {Schema}.seats set status = 'sold', order_id = $4
            where event_id = $1 and hold_id = $2 and buyer_id = $3 and status = 'held'
            returning seat_id
            """, connection, transaction);
        sell.Parameters.Add(new NpgsqlParameter { Value = request.EventId });
        sell.Parameters.Add(new NpgsqlParameter { Value = request.HoldId });
        sell.Parameters.Add(new NpgsqlParameter { Value = caller.RequiredUserId });
        sell.Parameters.Add(new NpgsqlParameter { Value = orderId });
        var seats = new List<string>();
        await using (var reader = await sell.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                seats.Add(reader.GetString(0));
            }
        }

        if (seats.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Create(StatusCodes.Status409Conflict, "bench.hold_not_found", "That hold is not yours or no longer held.");
        }

        // The card is charged synchronously while the seats stay locked, as the older platform did with its gateway.
        var total = seats.Count * PricePerSeat;
        if (!card.StartsWith("4242", StringComparison.Ordinal))
        {
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Create(StatusCodes.Status402PaymentRequired, "bench.card_declined", "The card was declined.");
        }

        await using var write = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"insert into {Schema}.orders (id, event_id, buyer_id, idempotency_key, status, total, currency, created_at) values ($1, $2, $3, $4, 'confirmed', $5, 'EUR', $6)")
                {
                    Parameters = { new() { Value = orderId }, new() { Value = request.EventId }, new() { Value = caller.RequiredUserId }, new() { Value = idempotencyKey }, new() { Value = total }, new() { Value = now } },
                },
                new NpgsqlBatchCommand($"insert into {Schema}.payments (id, order_id, amount, status, card_last4, created_at) values ($1, $2, $3, 'succeeded', $4, $5)")
                {
                    Parameters = { new() { Value = Guid.NewGuid() }, new() { Value = orderId }, new() { Value = total }, new() { Value = card[^4..] }, new() { Value = now } },
                },
                new NpgsqlBatchCommand($"insert into {Schema}.tickets (id, order_id, event_id, seat_id, status, issued_at) select gen_random_uuid(), $1, $2, s, 'issued', $3 from unnest($4::text[]) s")
                {
                    Parameters = { new() { Value = orderId }, new() { Value = request.EventId }, new() { Value = now }, new() { Value = seats.ToArray() } },
                },
                new NpgsqlBatchCommand($"insert into {Schema}.journal_entries (transaction_id, account, amount) values ($1, 'gateway_receivable', $2), ($1, 'sales', -$2)")
                {
                    Parameters = { new() { Value = orderId }, new() { Value = total } },
                },
            },
        };
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/bench/sellout/orders/{orderId}", new PurchaseResponse(orderId, "confirmed", total, seats));
    }
}
