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
            .WithSummary("Runs the payouts now: finishes pending ones, pays every connected organizer what has cleared the hold period (above the minimum) and every resale seller their due shares.")
            .RequireAuthorization(Policies.PlatformAdmin);

    public sealed record PayoutRunResponse(IReadOnlyList<OrganizerPaymentsApi.PayoutResponse> Payouts, IReadOnlyList<SellerPaymentsApi.SellerPayoutResponse> SellerPayouts);

    private static async Task<Ok<PayoutRunResponse>> RunPayouts(PayoutRun payouts, SellerPayoutRun sellerPayouts, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var done = await payouts.RunAllAsync(now, cancellationToken);
        var sellersDone = await sellerPayouts.RunAsync(now, cancellationToken);
        return TypedResults.Ok(new PayoutRunResponse([.. done.Select(OrganizerPaymentsApi.ToResponse)], [.. sellersDone.Select(SellerPaymentsApi.ToResponse)]));
    }
}
