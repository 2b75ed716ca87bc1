using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Apis;

/// <summary>Sales reports for an organizer's admins: an event's sold, comped and refunded tickets and their money, per ticket type and day.</summary>
public static class ReportsApi
{
    public static void MapReportsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/orders/organizers/{organizerId:guid}/events/{eventId:guid}").WithTags("Sales reports")
            .RequireAuthorization(Policies.OrganizerAdmin);
        events.MapGet("/sales", GetSales).WithName("GetSalesReport")
            .WithSummary("The event's sales: tickets sold, comps and refunded, gross, fees, refunds and net (minor units), in total, per ticket type and per day (UTC); format=json (default) or csv (a row per day and ticket type).")
            .Produces<SalesReport>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Problems(OrdersProblems.EventNotFound, OrdersProblems.OrganizerNotFound);
        events.MapGet("/sales.svg", GetSalesChart).WithName("GetSalesChart")
            .WithSummary("The event's daily sales as an SVG bar chart: tickets sold with comps stacked on them, refunds below the axis, each day's figures in its tooltip.")
            .Produces(StatusCodes.Status200OK, typeof(string), "image/svg+xml")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Problems(OrdersProblems.EventNotFound, OrdersProblems.OrganizerNotFound);
    }

    public sealed record SalesQuery([property: RegularExpression("^(json|csv)$")] string? Format);

    private static async Task<IResult> GetSales(Guid organizerId, Guid eventId, [AsParameters] SalesQuery query, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        var report = await ReportAsync(organizerId, eventId, caller, db, cancellationToken);
        return query.Format == "csv"
            ? Results.File(Encoding.UTF8.GetBytes(report.ToCsv()), "text/csv; charset=utf-8", $"sales-{eventId:N}.csv")
            : TypedResults.Ok(report);
    }

    private static async Task<IResult> GetSalesChart(Guid organizerId, Guid eventId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken) =>
        Results.Text((await ReportAsync(organizerId, eventId, caller, db, cancellationToken)).ToSvg(), "image/svg+xml", Encoding.UTF8);

    private static async Task<SalesReport> ReportAsync(Guid organizerId, Guid eventId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        var saleEvent = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken)
            ?? throw OrdersProblems.EventNotFound();
        var sold = db.Orders.Where(o => (o.PassId == null ? o.EventId == eventId : o.Lines.Any(l => l.EventId == eventId)) && o.ConfirmedAt != null);
        var orders = await sold.AsNoTracking().Include(o => o.Lines).ToListAsync(cancellationToken);
        var refunds = await db.Refunds.AsNoTracking()
            .Where(r => r.Status == RefundStatuses.Succeeded && sold.Any(o => o.Id == r.OrderId))
            .ToListAsync(cancellationToken);
        return SalesReport.Of(saleEvent, orders, refunds);
    }
}
