using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.Minting.Domain;

/// <summary>The reconciliation schedule's run: every ticket's owner compared with the chain or registry, and repaired where it can be.</summary>
public sealed class ReconciliationJob(Reconciliation reconciliation, ILogger<ReconciliationJob> logger) : IScheduledJob
{
    /// <summary>The schedule's actor; stored reminders name it, so it keeps the name of the actor it replaced.</summary>
    public const string ActorType = "MintingReconciliation";

    public const string ActorId = "reconciliation";

    public async Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var run = await reconciliation.RunAsync(cancellationToken);
        logger.LogInformation("Reconciliation checked {Checked} tickets: {InSync} in step, {Repaired} repaired, {Unrepairable} reported",
            run.Checked, run.InSync, run.Repaired, run.Unrepairable);
    }
}
