using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Apis;

/// <summary>The payout run on demand, for operators (it also runs on its schedule).</summary>
public static class PayoutsApi
{
    public static RouteHandlerBuilder MapPayoutsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/payments/payouts/run", RunPayouts).WithTags("Payouts").WithName("RunPayouts")
            .WithSummary("Runs the payouts now: finishes pending ones and pays every connected organizer what has cleared the hold period, above the minimum.")
            .RequireAuthorization(Policies.PlatformAdmin);

    public sealed record PayoutRunResponse(IReadOnlyList<OrganizerPaymentsApi.PayoutResponse> Payouts);

    private static async Task<Ok<PayoutRunResponse>> RunPayouts(PayoutRun payouts, TimeProvider time, CancellationToken cancellationToken)
    {
        var done = await payouts.RunAllAsync(time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(new PayoutRunResponse([.. done.Select(OrganizerPaymentsApi.ToResponse)]));
    }
}
