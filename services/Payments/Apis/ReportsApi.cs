using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Apis;

/// <summary>The platform's own money, for its operators.</summary>
public static class ReportsApi
{
    private const int MaximumDays = 366;

    public static RouteGroupBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/payments/reports").WithTags("Reports").RequireAuthorization(Policies.PlatformAdmin);
        group.MapGet("/revenue", GetRevenue).WithName("GetRevenueReport")
            .WithSummary("The platform's revenue (fees), the processor's fees and the net, per currency per day (UTC), from the ledger; from and to are dates, by default the last 30 days.")
            .Problems(PaymentsProblems.InvalidRange);
        return group;
    }

    public sealed record RevenueReport(DateOnly From, DateOnly To, IReadOnlyList<RevenueDay> Days);

    /// <summary>Minor units of <c>currency</c>; refunds of fees count against the day they were posted.</summary>
    public sealed record RevenueDay(DateOnly Day, string Currency, long PlatformRevenue, long ProcessorFees, long Net);

    private static async Task<Ok<RevenueReport>> GetRevenue(DateOnly? from, DateOnly? to, PaymentsDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var last = to ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = from ?? last.AddDays(-29);
        if (first > last || last.DayNumber - first.DayNumber >= MaximumDays)
        {
            throw PaymentsProblems.InvalidRange();
        }

        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = await db.Database.SqlQuery<RevenueRow>($"""
            select (e.posted_at at time zone 'UTC')::date as "Day", e.currency as "Currency",
                   coalesce(-sum(e.amount) filter (where e.account = {LedgerAccounts.PlatformRevenue}), 0) as "PlatformRevenue",
                   coalesce(sum(e.amount) filter (where e.account = {LedgerAccounts.ProcessorFees}), 0) as "ProcessorFees"
            from payments.journal_entries e
            where e.account in ({LedgerAccounts.PlatformRevenue}, {LedgerAccounts.ProcessorFees}) and e.posted_at >= {start} and e.posted_at < {end}
            group by 1, 2
            order by 1, 2
            """).ToListAsync(cancellationToken);
        return TypedResults.Ok(new RevenueReport(first, last,
            [.. rows.Select(r => new RevenueDay(r.Day, r.Currency, r.PlatformRevenue, r.ProcessorFees, r.PlatformRevenue - r.ProcessorFees))]));
    }

    private sealed record RevenueRow(DateOnly Day, string Currency, long PlatformRevenue, long ProcessorFees);
}
