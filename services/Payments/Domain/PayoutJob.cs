using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Payments.Domain;

/// <summary>
/// The payout schedule's run: the organizers' payouts and the resale sellers' payouts that fell due (overlapping runs
/// are safe, see <see cref="PayoutRun"/> and <see cref="SellerPayoutRun"/>).
/// </summary>
public sealed class PayoutJob(PayoutRun payouts, SellerPayoutRun sellerPayouts, ILogger<PayoutJob> logger) : IScheduledJob
{
    /// <summary>The schedule's actor; stored reminders name it, so it keeps the name of the actor it replaced.</summary>
    public const string ActorType = "PayoutSchedule";

    public const string ActorId = "payouts";

    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var organizers = await payouts.RunAllAsync(now, cancellationToken);
        var sellers = await sellerPayouts.RunAsync(now, cancellationToken);
        logger.LogInformation("Payout run made or finished {Count} organizer payouts and {SellerCount} seller payouts", organizers.Count, sellers.Count);
    }
}
