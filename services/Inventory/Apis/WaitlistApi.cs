using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Apis;

/// <summary>A sold-out event's waitlist: join, see your place or your offer, leave.</summary>
public static class WaitlistApi
{
    public static RouteGroupBuilder MapWaitlistApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inventory/events/{eventId:guid}/waitlist").WithTags("Waitlist").RequireAuthorization(Policies.Fan);
        group.MapPut("/me", Join).WithName("JoinWaitlist")
            .WithSummary("Joins the event's waitlist (or changes the wish); when seats come back, they are held for the first in line.")
            .Problems(() => InventoryProblems.EventNotFound(), InventoryProblems.NoWaitlist, InventoryProblems.UnknownPriceZone, InventoryProblems.UnknownTicketType,
                () => InventoryProblems.OverPurchaseLimit(HoldFailures.OrderLimit, null));
        group.MapGet("/me", Get).WithName("GetMyWaitlistPlace").WithSummary("Your place in line, or the offer (a hold in your name) and until when it lasts.")
            .Problems(InventoryProblems.NotOnWaitlist);
        group.MapDelete("/me", Leave).WithName("LeaveWaitlist").WithSummary("Leaves the waitlist.").Problems(InventoryProblems.NotWaiting);
        return group;
    }

    /// <summary><see cref="TicketTypeId"/>: wait for places of a general-admission type; else for seats (of <see cref="PriceZone"/> if given).</summary>
    public sealed record JoinWaitlistRequest([property: Range(1, 10)] int Quantity, [property: StringLength(40)] string? PriceZone, Guid? TicketTypeId = null);

    private static async Task<Ok<WaitlistPosition>> Join(Guid eventId, JoinWaitlistRequest request, Caller caller, IActorProxyFactory actors)
    {
        var plan = await actors.EventOf(eventId).GetPlanAsync();
        if (plan is null)
        {
            throw InventoryProblems.EventNotFound();
        }

        if (plan.Cancelled)
        {
            throw InventoryProblems.NoWaitlist();
        }

        if (request.PriceZone is not null && !plan.Sections.Any(s => s.PriceZones.Contains(request.PriceZone)))
        {
            throw InventoryProblems.UnknownPriceZone();
        }

        if (request.TicketTypeId is { } typeId && (request.PriceZone is not null
            || !plan.TicketTypes.Any(t => t.Id == typeId && t.Kind == Contracts.Catalog.PublishedTicketType.GeneralAdmission)))
        {
            throw InventoryProblems.UnknownTicketType();
        }

        if (request.Quantity > plan.Limits.PerOrder)
        {
            throw InventoryProblems.OverPurchaseLimit(HoldFailures.OrderLimit, $"At most {plan.Limits.PerOrder} tickets per order.");
        }

        return TypedResults.Ok(await actors.WaitlistOf(eventId).JoinAsync(new JoinWaitlist(caller.RequiredUserId, request.PriceZone, request.Quantity, request.TicketTypeId)));
    }

    private static async Task<Ok<WaitlistPosition>> Get(Guid eventId, Caller caller, IActorProxyFactory actors) =>
        TypedResults.Ok(await actors.WaitlistOf(eventId).GetAsync(new FanRef(caller.RequiredUserId)) ?? throw InventoryProblems.NotOnWaitlist());

    private static async Task<NoContent> Leave(Guid eventId, Caller caller, IActorProxyFactory actors) =>
        await actors.WaitlistOf(eventId).LeaveAsync(new FanRef(caller.RequiredUserId)) ? TypedResults.NoContent() : throw InventoryProblems.NotWaiting();
}
