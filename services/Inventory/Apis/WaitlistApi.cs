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
            .WithSummary("Joins the event's waitlist (or changes the wish); when seats come back, they are held for the first in line.");
        group.MapGet("/me", Get).WithName("GetMyWaitlistPlace").WithSummary("Your place in line, or the offer (a hold in your name) and until when it lasts.");
        group.MapDelete("/me", Leave).WithName("LeaveWaitlist").WithSummary("Leaves the waitlist.");
        return group;
    }

    /// <summary><see cref="TicketTypeId"/>: wait for places of a general-admission type; else for seats (of <see cref="PriceZone"/> if given).</summary>
    public sealed record JoinWaitlistRequest([property: Range(1, 10)] int Quantity, [property: StringLength(40)] string? PriceZone, Guid? TicketTypeId = null);

    private static async Task<Results<Ok<WaitlistPosition>, ProblemHttpResult>> Join(Guid eventId, JoinWaitlistRequest request, Caller caller, IActorProxyFactory actors)
    {
        var plan = await actors.EventOf(eventId).GetPlanAsync();
        if (plan is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, HoldFailures.EventNotFound, "There is no such event.", "No published event has this id.");
        }

        if (plan.Cancelled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, HoldFailures.EventNotOnSale, "This event has no waitlist.", "It was cancelled.");
        }

        if (request.PriceZone is not null && !plan.Sections.Any(s => s.PriceZones.Contains(request.PriceZone)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "unknown_price_zone", "The event has no such price zone.");
        }

        if (request.TicketTypeId is { } typeId && (request.PriceZone is not null
            || !plan.TicketTypes.Any(t => t.Id == typeId && t.Kind == Contracts.Catalog.PublishedTicketType.GeneralAdmission)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "unknown_ticket_type", "The event has no such general-admission ticket type.",
                "Name a general-admission type of the event, and no price zone with it.");
        }

        if (request.Quantity > plan.Limits.PerOrder)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, HoldFailures.OrderLimit, "Over the purchase limit.", $"At most {plan.Limits.PerOrder} tickets per order.");
        }

        return TypedResults.Ok(await actors.WaitlistOf(eventId).JoinAsync(new JoinWaitlist(caller.RequiredUserId, request.PriceZone, request.Quantity, request.TicketTypeId)));
    }

    private static async Task<Results<Ok<WaitlistPosition>, ProblemHttpResult>> Get(Guid eventId, Caller caller, IActorProxyFactory actors) =>
        await actors.WaitlistOf(eventId).GetAsync(new FanRef(caller.RequiredUserId)) is { } position
            ? TypedResults.Ok(position)
            : Problems.Create(StatusCodes.Status404NotFound, "not_on_waitlist", "You are not on this event's waitlist.");

    private static async Task<Results<NoContent, ProblemHttpResult>> Leave(Guid eventId, Caller caller, IActorProxyFactory actors) =>
        await actors.WaitlistOf(eventId).LeaveAsync(new FanRef(caller.RequiredUserId))
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status404NotFound, "not_on_waitlist", "You are not waiting on this event's waitlist.");
}
