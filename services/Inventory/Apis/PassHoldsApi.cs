using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Apis;

/// <summary>
/// The hold of a season or multi-day pass (docs/adr/0023): the same seats, or general-admission places, in every event of
/// the pass, all or nothing across the events.
/// </summary>
public static class PassHoldsApi
{
    public const int MaximumEvents = 100;

    public static RouteGroupBuilder MapPassHoldsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inventory/pass-holds").WithTags("Holds").RequireAuthorization(Policies.Fan);
        group.MapPost("/", CreatePassHold).WithName("CreatePassHold")
            .WithSummary("Holds the same seats (or general-admission places) in every event of a pass: all the events or none, for 10 minutes.")
            .Problems(() => InventoryProblems.InvalidHoldRequest(null), () => InventoryProblems.UnknownSeat(null),
                () => InventoryProblems.SeatUnavailable(null), () => InventoryProblems.NotEnoughSeats(null), () => InventoryProblems.SoldOut(null),
                () => InventoryProblems.EventNotOnSale(null), () => InventoryProblems.EventNotFound(null),
                () => InventoryProblems.OverPurchaseLimit(HoldFailures.OrderLimit, null), () => InventoryProblems.OverPurchaseLimit(HoldFailures.AccountLimit, null));
        return group;
    }

    /// <summary>
    /// <c>seats</c>: seat ids held in every event (a seated pass's events share one seat map, so a seat id names the same
    /// seat in each). <c>generalAdmission</c>: per event, the ticket type and how many.
    /// </summary>
    public sealed record CreatePassHoldRequest(
        [property: Required, MinLength(2), MaxLength(MaximumEvents)] IReadOnlyList<Guid>? EventIds,
        [property: MaxLength(20)] IReadOnlyList<string>? Seats,
        [property: MaxLength(MaximumEvents)] IReadOnlyList<PassGeneralAdmission>? GeneralAdmission);

    public sealed record PassGeneralAdmission(Guid EventId, Guid TicketTypeId, [property: Range(1, 50)] int Quantity);

    /// <summary>One hold per event, in the order of <c>eventIds</c>; each is checked out, extended and released like any hold.</summary>
    public sealed record PassHoldView(Guid PassHoldId, IReadOnlyList<HoldView> Holds);

    private static async Task<Created<PassHoldView>> CreatePassHold(CreatePassHoldRequest request, Caller caller, IActorProxyFactory actors,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey)
    {
        var buyer = caller.RequiredUserId;
        var eventIds = request.EventIds!;
        var seats = request.Seats ?? [];
        var places = request.GeneralAdmission ?? [];
        if (eventIds.Distinct().Count() != eventIds.Count)
        {
            throw InventoryProblems.InvalidHoldRequest("An event is named twice; a pass holds once per event.");
        }

        if ((seats.Count == 0) == (places.Count == 0))
        {
            throw InventoryProblems.InvalidHoldRequest("Give either seats (a seated pass) or generalAdmission (a general-admission pass).");
        }

        if (places.Count > 0 && (places.Count != eventIds.Count || places.Select(p => p.EventId).Except(eventIds).Any()))
        {
            throw InventoryProblems.InvalidHoldRequest("generalAdmission names each event of eventIds once.");
        }

        // A retried request with the same key names the same holds, which the buyer's actors answer again instead of holding twice.
        var passHoldId = string.IsNullOrWhiteSpace(idempotencyKey)
            ? Guid.NewGuid()
            : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"pass/{buyer:N}/{idempotencyKey}")).AsSpan(0, 16));
        var held = new List<HoldView>();
        foreach (var eventId in eventIds)
        {
            var holdId = PassHolds.PartId(passHoldId, eventId);
            var outcome = await actors.BuyerOf(eventId, buyer).CreateHoldAsync(new CreateHold(holdId, eventId, buyer, seats, null,
                [.. places.Where(p => p.EventId == eventId).Select(p => new GeneralAdmissionQuantity(p.TicketTypeId, p.Quantity))]));
            if (outcome.Hold is { } hold)
            {
                held.Add(hold);
                continue;
            }

            // All or nothing: what the earlier events gave goes back at once. After a crash here they expire by themselves.
            foreach (var taken in held)
            {
                await actors.BuyerOf(taken.EventId, buyer).ReleaseHoldAsync(new HoldRef(taken.HoldId));
            }

            throw InventoryProblems.HoldRefused(outcome with { Detail = $"Event {eventId}: {outcome.Detail}" });
        }

        return TypedResults.Created($"/api/inventory/events/{held[0].EventId}/holds/{held[0].HoldId}", new PassHoldView(passHoldId, held));
    }
}
