using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Apis;

/// <summary>How the refunds of a cancelled event stand, for its organizer: refunded, pending, and failed with the reason.</summary>
public static class CancellationApi
{
    public static void MapCancellationApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/orders/organizers/{organizerId:guid}/events/{eventId:guid}/cancellation", Progress).WithTags("Orders for organizers")
            .RequireAuthorization(Policies.OrganizerAdmin).WithName("GetCancellationRefunds")
            .WithSummary("The refunds of a cancelled event's paid orders: how many are refunded, pending or failed (with why), and the amounts.")
            .Problems(OrdersProblems.CancellationNotFound, OrdersProblems.OrganizerNotFound);

    public sealed record RefundFailure(Guid OrderId, string OrderNumber, Guid RefundId, string? Reason);

    public sealed record CancellationProgress(Guid EventId, string FeePolicy, string Reason, DateTimeOffset CancelledAt, string Currency, int Orders, int Refunded,
        int Pending, int Failed, long AmountRefunded, long AmountPending, IReadOnlyList<RefundFailure> Failures);

    private static async Task<Ok<CancellationProgress>> Progress(Guid organizerId, Guid eventId, Caller caller, OrdersDbContext db, CancellationToken cancellationToken)
    {
        if (!caller.Administers(organizerId))
        {
            throw OrdersProblems.OrganizerNotFound();
        }

        var cancellation = await db.EventCancellations.AsNoTracking().SingleOrDefaultAsync(c => c.EventId == eventId && c.OrganizerId == organizerId, cancellationToken)
            ?? throw OrdersProblems.CancellationNotFound();
        var currency = await db.Events.Where(e => e.Id == eventId).Select(e => e.Currency).SingleAsync(cancellationToken);
        // One row per paid order of one event: small enough to count here.
        var refunds = await db.Refunds.AsNoTracking().Where(r => r.Cause == RefundCauses.EventCancelled && r.EventId == eventId)
            .Join(db.Orders, r => r.OrderId, o => o.Id, (r, o) => new { r.Id, r.Status, r.Amount, r.FailureMessage, OrderId = o.Id, o.Number })
            .ToListAsync(cancellationToken);
        var failures = refunds.Where(r => r.Status == RefundStatuses.Failed).OrderBy(r => r.Number, StringComparer.Ordinal)
            .Select(r => new RefundFailure(r.OrderId, r.Number, r.Id, r.FailureMessage)).ToList();
        int Count(string status) => refunds.Count(r => r.Status == status);
        long Amount(string status) => refunds.Where(r => r.Status == status).Sum(r => r.Amount);
        return TypedResults.Ok(new CancellationProgress(eventId, cancellation.FeePolicy, cancellation.Reason, cancellation.CancelledAt, currency, cancellation.Orders,
            Count(RefundStatuses.Succeeded), Count(RefundStatuses.Pending), Count(RefundStatuses.Failed), Amount(RefundStatuses.Succeeded), Amount(RefundStatuses.Pending),
            failures));
    }
}
