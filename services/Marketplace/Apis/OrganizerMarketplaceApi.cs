using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Marketplace.Data;

namespace TicketToken.Marketplace.Apis;

/// <summary>An organizer's view of the resale of its events: the listings and the price history. Another organizer's is a 404.</summary>
public static class OrganizerMarketplaceApi
{
    public static RouteGroupBuilder MapOrganizerMarketplaceApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/marketplace/organizers/{organizerId:guid}/events/{eventId:guid}").WithTags("Marketplace")
            .RequireAuthorization(Policies.OrganizerAdmin);
        group.MapGet("/listings", EventListings).WithName("ListEventListings").WithSummary("Every listing of the organizer's event, whatever its status, newest first.")
            .Problems(MarketplaceProblems.EventNotFound, MarketplaceProblems.OrganizerNotFound);
        group.MapGet("/price-history", PriceHistory).WithName("GetResalePriceHistory")
            .WithSummary("Completed resales of the organizer's event per day (UTC): how many, and the lowest, median and highest price.")
            .Problems(MarketplaceProblems.EventNotFound, MarketplaceProblems.OrganizerNotFound);
        return group;
    }

    public sealed record PriceDay(DateOnly Day, int Resales, long Min, long Median, long Max, string Currency);

    public sealed record PriceHistoryResponse(Guid EventId, IReadOnlyList<PriceDay> Days);

    private static async Task<Ok<ListingsApi.ListingsResponse>> EventListings(Guid organizerId, Guid eventId, Caller caller, MarketplaceDbContext db,
        CancellationToken cancellationToken)
    {
        await AuthorizeAsync(db, caller, organizerId, eventId, cancellationToken);
        var rows = await db.Listings.AsNoTracking().Where(l => l.EventId == eventId).OrderByDescending(l => l.CreatedAt).Take(500).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ListingsApi.ListingsResponse([.. rows.Select(ListingsApi.ToResponse)]));
    }

    private static async Task<Ok<PriceHistoryResponse>> PriceHistory(Guid organizerId, Guid eventId, Caller caller, MarketplaceDbContext db, CancellationToken cancellationToken)
    {
        await AuthorizeAsync(db, caller, organizerId, eventId, cancellationToken);
        var days = await db.Database.SqlQuery<PriceDay>($"""
            select (completed_at at time zone 'UTC')::date as "Day", count(*)::int as "Resales", min(price) as "Min",
                   percentile_disc(0.5) within group (order by price) as "Median", max(price) as "Max", min(currency) as "Currency"
            from marketplace.resales where event_id = {eventId} and status = 'completed'
            group by 1 order by 1
            """).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PriceHistoryResponse(eventId, days));
    }

    private static async Task AuthorizeAsync(MarketplaceDbContext db, Caller caller, Guid organizerId, Guid eventId, CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw MarketplaceProblems.OrganizerNotFound();
        }

        if (!await db.Events.AnyAsync(e => e.Id == eventId && e.OrganizerId == organizerId, cancellationToken))
        {
            throw MarketplaceProblems.EventNotFound();
        }
    }
}
