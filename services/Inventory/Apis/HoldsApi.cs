using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;
using TicketToken.Contracts.Queue;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Apis;

/// <summary>A fan's holds on an event's seats: the hot path of an on-sale.</summary>
public static class HoldsApi
{
    public static RouteGroupBuilder MapHoldsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inventory/events/{eventId:guid}/holds").WithTags("Holds").RequireAuthorization(Policies.Fan);
        group.MapPost("/", CreateHold).WithName("CreateHold")
            .WithSummary("Holds specific seats, the best N adjacent seats of a section or price zone, and/or general-admission places: all or nothing, for 10 minutes.")
            .WithHoldExamples()
            .Problems(InventoryProblems.AdmissionRequired, InventoryProblems.AdmissionExpired, () => InventoryProblems.AdmissionInvalid(),
                () => InventoryProblems.SeatUnavailable(null), () => InventoryProblems.NotEnoughSeats(null), () => InventoryProblems.SoldOut(null),
                () => InventoryProblems.EventNotOnSale(null), () => InventoryProblems.EventNotFound(null),
                () => InventoryProblems.OverPurchaseLimit(HoldFailures.OrderLimit, null), () => InventoryProblems.OverPurchaseLimit(HoldFailures.AccountLimit, null),
                () => InventoryProblems.InvalidHoldRequest(null), () => InventoryProblems.UnknownSeat(null));
        group.MapGet("/{holdId:guid}", GetHold).WithName("GetHold").WithSummary("Reads one of the caller's holds.")
            .Problems(InventoryProblems.HoldNotFound);
        group.MapPost("/{holdId:guid}/extend", ExtendHold).WithName("ExtendHold")
            .WithSummary("Gives the hold another full hold duration, up to its maximum lifetime.")
            .Problems(InventoryProblems.HoldNotFound, () => InventoryProblems.HoldFinal(HoldFailures.HoldExpired, null), () => InventoryProblems.HoldFinal(HoldFailures.AlreadySold, null));
        group.MapDelete("/{holdId:guid}", ReleaseHold).WithName("ReleaseHold").WithSummary("Gives the held seats back at once.")
            .Problems(InventoryProblems.HoldNotFound);
        return group;
    }

    /// <summary>What to hold. Give any mix of <c>seats</c> (seat ids), <c>best</c> and <c>generalAdmission</c>.</summary>
    public sealed record CreateHoldRequest(
        [property: MaxLength(20)] IReadOnlyList<string>? Seats,
        BestAvailableRequest? Best,
        [property: MaxLength(10)] IReadOnlyList<GeneralAdmissionRequest>? GeneralAdmission);

    public sealed record BestAvailableRequest([property: Range(1, 20)] int Quantity, [property: StringLength(40)] string? Section, [property: StringLength(40)] string? PriceZone);

    public sealed record GeneralAdmissionRequest(Guid TicketTypeId, [property: Range(1, 50)] int Quantity);

    [SkipValidation] // services, not input
    public sealed record HoldServices(IActorProxyFactory Actors, AdmissionGates Gates, IOptions<InventoryOptions> Options);

    private static async Task<Created<HoldView>> CreateHold(Guid eventId, CreateHoldRequest request, Caller caller,
        [AsParameters] HoldServices services, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        [FromHeader(Name = Admissions.Header)] string? admission, CancellationToken cancellationToken)
    {
        var (actors, gates, options) = (services.Actors, services.Gates, services.Options);
        var buyer = caller.RequiredUserId;
        // A queued on-sale sells only to fans its queue admitted (ADR 0020); the admission is verified here, offline.
        if (await gates.RefusalAsync(eventId, buyer, admission, cancellationToken) is { } refusal)
        {
            throw InventoryProblems.AdmissionRefused(refusal);
        }

        // A retried request with the same key names the same hold, and the buyer's actor answers it again instead of holding twice.
        var holdId = string.IsNullOrWhiteSpace(idempotencyKey)
            ? Guid.NewGuid()
            : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventId:N}/{buyer:N}/{idempotencyKey}")).AsSpan(0, 16));
        var outcome = await actors.BuyerOf(eventId, buyer).CreateHoldAsync(new CreateHold(holdId, eventId, buyer,
            request.Seats ?? [], request.Best is { } best ? new BestAvailable(best.Quantity, best.Section, best.PriceZone) : null,
            [.. (request.GeneralAdmission ?? []).Select(g => new GeneralAdmissionQuantity(g.TicketTypeId, g.Quantity))]));
        if (options.Value.ParkHoldAnswersAfter is { } parkAfter && AnswerParks(parkAfter, outcome.Hold is not null))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken); // the crash tests' fault point: see InventoryOptions
        }

        return outcome.Hold is { } hold
            ? TypedResults.Created($"/api/inventory/events/{eventId}/holds/{hold.HoldId}", hold)
            : throw InventoryProblems.HoldRefused(outcome);
    }

    private static readonly Lock s_answersGate = new();
    private static int s_answersSent;
    private static int s_holdsSent;

    /// <summary>Counts the answers sent for <see cref="InventoryOptions.ParkHoldAnswersAfter"/>, and says whether this one must wait instead.</summary>
    private static bool AnswerParks(int parkAfter, bool isHold)
    {
        lock (s_answersGate)
        {
            if (s_answersSent >= parkAfter && s_holdsSent > 0)
            {
                return true;
            }

            s_answersSent++;
            s_holdsSent += isHold ? 1 : 0;
            return false;
        }
    }

    private static async Task<Ok<HoldView>> GetHold(Guid eventId, Guid holdId, Caller caller, IActorProxyFactory actors) =>
        TypedResults.Ok(await actors.BuyerOf(eventId, caller.RequiredUserId).GetHoldAsync(new HoldRef(holdId)) ?? throw InventoryProblems.HoldNotFound());

    private static async Task<Ok<HoldView>> ExtendHold(Guid eventId, Guid holdId, Caller caller, IActorProxyFactory actors)
    {
        var outcome = await actors.BuyerOf(eventId, caller.RequiredUserId).ExtendHoldAsync(new HoldRef(holdId));
        return TypedResults.Ok(outcome.Hold ?? throw InventoryProblems.HoldRefused(outcome));
    }

    private static async Task<NoContent> ReleaseHold(Guid eventId, Guid holdId, Caller caller, IActorProxyFactory actors) =>
        await actors.BuyerOf(eventId, caller.RequiredUserId).ReleaseHoldAsync(new HoldRef(holdId)) ? TypedResults.NoContent() : throw InventoryProblems.HoldNotFound();
}
