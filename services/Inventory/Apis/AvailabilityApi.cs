using System.Globalization;
using System.Net;
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
        var group = app.MapGroup("/api/inventory/events/{eventId:guid}").WithTags("Availability").AllowAnonymous();
        group.MapGet("/availability", GetAvailability).WithName("GetAvailability")
            .WithSummary("Counts of available, held, sold and blocked seats per section and price zone, and places left per general-admission type.");
        group.MapGet("/seats", GetSeats).WithName("GetSeatStates")
            .WithSummary("Every seat with its position and status (available, held, sold, blocked), for apps that draw the map themselves.");
        group.MapGet("/seatmap.svg", GetSeatMapPicture).WithName("GetSeatMapPicture")
            .WithSummary("The seat map as an SVG picture, coloured by status: available, held, sold, blocked.");
        return group;
    }

    public sealed record SectionAvailability(string Code, string Name, IReadOnlyList<ZoneCount> Zones);

    public sealed record AvailabilityResponse(Guid EventId, string Name, bool OnSale, IReadOnlyList<SectionAvailability> Sections, IReadOnlyList<GeneralAdmissionStatus> GeneralAdmission);

    private static async Task<Results<Ok<AvailabilityResponse>, ProblemHttpResult>> GetAvailability(Guid eventId, IActorProxyFactory actors, TimeProvider time)
    {
        var plan = await PlanAsync(actors, eventId);
        var sections = await Task.WhenAll(plan.Sections.Select(async s => new SectionAvailability(s.Code, s.Name, await actors.SectionOf(eventId, s.Code).GetZoneCountsAsync())));
        var general = await Task.WhenAll(plan.TicketTypes.Where(t => t.Kind == PublishedTicketType.GeneralAdmission)
            .Select(t => actors.GeneralAdmissionOf(eventId, t.Id).GetStatusAsync()));
        var now = time.GetUtcNow();
        return TypedResults.Ok(new AvailabilityResponse(eventId, plan.Name, !plan.Cancelled && now >= plan.SalesStartAt && now < plan.SalesEndAt, sections, general));
    }

    private static async Task<Results<Ok<List<SectionStatus>>, ProblemHttpResult>> GetSeats(Guid eventId, IActorProxyFactory actors)
    {
        var plan = await PlanAsync(actors, eventId);
        return TypedResults.Ok((await Task.WhenAll(plan.Sections.Select(s => actors.SectionOf(eventId, s.Code).GetStatusAsync()))).ToList());
    }

    private static async Task<IResult> GetSeatMapPicture(Guid eventId, IActorProxyFactory actors)
    {
        var plan = await PlanAsync(actors, eventId);
        var sections = await Task.WhenAll(plan.Sections.Select(s => actors.SectionOf(eventId, s.Code).GetStatusAsync()));
        return Results.Text(SeatMapPicture.Draw(plan.Name, sections), "image/svg+xml", Encoding.UTF8);
    }

    private static async Task<EventPlan> PlanAsync(IActorProxyFactory actors, Guid eventId) =>
        await actors.EventOf(eventId).GetPlanAsync()
        ?? throw new ProblemException(StatusCodes.Status404NotFound, "event_not_found", "No published event has this id.");
}

/// <summary>Draws seats as dots at their coordinates (or on a row grid when the map has none), one colour per status.</summary>
public static class SeatMapPicture
{
    private const double Dot = 8;

    public static readonly IReadOnlyDictionary<string, string> Colours = new Dictionary<string, string>
    {
        ["available"] = "#2e7d32",
        ["held"] = "#f9a825",
        ["sold"] = "#c62828",
        ["blocked"] = "#9e9e9e",
    };

    public static string Draw(string title, IReadOnlyList<SectionStatus> sections)
    {
        var placed = Place(sections);
        var width = placed.Count == 0 ? 200 : placed.Max(p => p.X) + 3 * Dot;
        var height = (placed.Count == 0 ? 40 : placed.Max(p => p.Y)) + 3 * Dot + 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(width)} {N(height)}\" width=\"{N(width)}\" height=\"{N(height)}\" role=\"img\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{WebUtility.HtmlEncode(title)}</title>");
        foreach (var (seat, x, y) in placed)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<circle cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"{N(Dot / 2 - 0.5)}\" fill=\"{Colours[seat.Status]}\" data-seat=\"{WebUtility.HtmlEncode(seat.Id)}\" data-status=\"{seat.Status}\"><title>{WebUtility.HtmlEncode(seat.Id)}: {seat.Status}</title></circle>");
        }

        var legendY = height - 12;
        var legendX = Dot;
        foreach (var (status, colour) in Colours)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(legendX)}\" cy=\"{N(legendY)}\" r=\"4\" fill=\"{colour}\"/><text x=\"{N(legendX + 7)}\" y=\"{N(legendY + 4)}\" font-size=\"11\" font-family=\"sans-serif\">{status}</text>");
            legendX += 75;
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static List<(SeatState Seat, double X, double Y)> Place(IReadOnlyList<SectionStatus> sections)
    {
        var all = sections.SelectMany(s => s.Seats).ToList();
        if (all.Count > 0 && all.Any(s => s.X != 0 || s.Y != 0))
        {
            var minX = all.Min(s => s.X);
            var minY = all.Min(s => s.Y);
            var span = Math.Max(all.Max(s => s.X) - minX, all.Max(s => s.Y) - minY);
            var scale = span <= 0 ? 1 : Math.Clamp(1000 / span, Dot / 10, 50);
            return [.. all.Select(s => (s, (s.X - minX) * scale + 2 * Dot, (s.Y - minY) * scale + 2 * Dot))];
        }

        // No coordinates: each section is a block of rows, sections side by side.
        var placed = new List<(SeatState, double, double)>();
        var offsetX = 2 * Dot;
        foreach (var section in sections)
        {
            var rows = section.Seats.GroupBy(s => s.Row).ToList();
            var widest = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                var seats = rows[r].ToList();
                widest = Math.Max(widest, seats.Count);
                for (var i = 0; i < seats.Count; i++)
                {
                    placed.Add((seats[i], offsetX + i * Dot * 1.25, 2 * Dot + r * Dot * 1.25));
                }
            }

            offsetX += (widest + 2) * Dot * 1.25;
        }

        return placed;
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
