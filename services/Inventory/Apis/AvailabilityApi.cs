using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Apis;

/// <summary>What is left of an event, in numbers and as a picture.</summary>
public static class AvailabilityApi
{
    public static RouteGroupBuilder MapAvailabilityApi(this IEndpointRouteBuilder app)
    {
        // Anonymous by design: browsing what is available is public (DESIGN.md section 6), and shows no buyer.
        var group = app.MapGroup("/api/inventory/events/{eventId:guid}").WithTags("Availability").AllowAnonymous()
            .Problems(InventoryProblems.NoPublishedEvent);
        group.MapGet("/availability", GetAvailability).WithName("GetAvailability")
            .WithSummary("Counts of available, held, sold and blocked seats per section and price zone, and places left per general-admission type.");
        group.MapGet("/seats", GetSeats).WithName("GetSeatStates")
            .WithSummary("Every seat with its position and status (available, held, sold, blocked), for apps that draw the map themselves.");
        group.MapGet("/seatmap.svg", GetSeatMapPicture).WithName("GetSeatMapPicture")
            .WithSummary("The seat map to pick seats from, as SVG: stage, sections and rows labelled, price zones in colours with a price legend, accessible and companion seats marked, held and sold seats shown, each seat's label and price in its tooltip.");
        return group;
    }

    public sealed record SectionAvailability(string Code, string Name, IReadOnlyList<ZoneCount> Zones);

    public sealed record AvailabilityResponse(Guid EventId, string Name, bool OnSale, IReadOnlyList<SectionAvailability> Sections, IReadOnlyList<GeneralAdmissionStatus> GeneralAdmission);

    private static async Task<Ok<AvailabilityResponse>> GetAvailability(Guid eventId, IActorProxyFactory actors, TimeProvider time)
    {
        var plan = await PlanAsync(actors, eventId);
        var sections = await Task.WhenAll(plan.Sections.Select(async s => new SectionAvailability(s.Code, s.Name, await actors.SectionOf(eventId, s.Code).GetZoneCountsAsync())));
        var general = await Task.WhenAll(plan.TicketTypes.Where(t => t.Kind == PublishedTicketType.GeneralAdmission)
            .Select(t => actors.GeneralAdmissionOf(eventId, t.Id).GetStatusAsync()));
        var now = time.GetUtcNow();
        return TypedResults.Ok(new AvailabilityResponse(eventId, plan.Name, !plan.Cancelled && now >= plan.SalesStartAt && now < plan.SalesEndAt, sections, general));
    }

    private static async Task<Ok<List<SectionStatus>>> GetSeats(Guid eventId, IActorProxyFactory actors)
    {
        var plan = await PlanAsync(actors, eventId);
        return TypedResults.Ok((await Task.WhenAll(plan.Sections.Select(s => actors.SectionOf(eventId, s.Code).GetStatusAsync()))).ToList());
    }

    private static async Task<IResult> GetSeatMapPicture(Guid eventId, IActorProxyFactory actors)
    {
        var plan = await PlanAsync(actors, eventId);
        var sections = await Task.WhenAll(plan.Sections.Select(s => actors.SectionOf(eventId, s.Code).GetStatusAsync()));
        return Results.Text(SeatMapPicture.Draw(plan, sections), "image/svg+xml", Encoding.UTF8);
    }

    private static async Task<EventPlan> PlanAsync(IActorProxyFactory actors, Guid eventId) =>
        await actors.EventOf(eventId).GetPlanAsync()
        ?? throw InventoryProblems.NoPublishedEvent();
}
