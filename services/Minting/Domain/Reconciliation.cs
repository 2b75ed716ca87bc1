using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Minting.Data;

namespace TicketToken.Minting.Domain;

/// <summary>One ticket reconciliation could not leave in step, or put right.</summary>
public sealed record ReconciliationFinding(Guid TicketId, Guid OwnerId, string Status, bool Repaired, string Detail);

/// <summary>
/// Compares every ticket's owner and status (what the tickets module published, the source of truth) with what the mirror says,
/// and puts right what mirroring again can (a transfer that never landed is sent again by the worker), reports the rest.
/// Tickets the worker has not reached yet are not drift: they are counted by the backlog instead.
/// </summary>
public sealed class Reconciliation(MintingDbContext db, IOwnershipMirror mirror, MintingSignals signals, MintingMetrics metrics, TimeProvider time,
    ILogger<Reconciliation> logger)
{
    private const int PageSize = 200;

    public async Task<ReconciliationRun> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var findings = new List<ReconciliationFinding>();
        int checkedCount = 0, inSync = 0;
        Guid? after = null;
        while (true)
        {
            var page = await db.Tickets.AsNoTracking()
                .Where(t => t.Sequence > 0 && t.MirroredSequence >= t.Sequence && (after == null || t.TicketId.CompareTo(after.Value) > 0))
                .OrderBy(t => t.TicketId).Take(PageSize).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var ticket in page)
            {
                checkedCount++;
                MirrorReading reading;
                try
                {
                    reading = await mirror.ReadAsync(ticket, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or Solana.SolanaRpcException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    findings.Add(new ReconciliationFinding(ticket.TicketId, ticket.OwnerId, ticket.Status, false, "could not be read: " + e.Message));
                    continue;
                }

                if (reading.InSync)
                {
                    inSync++;
                    continue;
                }

                if (reading.Repairable)
                {
                    await db.Database.ExecuteSqlAsync(
                        $"update minting.tickets set mirrored_sequence = 0, next_attempt_at = null, attempts = 0 where ticket_id = {ticket.TicketId} and sequence = {ticket.Sequence}",
                        cancellationToken);
                }

                findings.Add(new ReconciliationFinding(ticket.TicketId, ticket.OwnerId, ticket.Status, reading.Repairable, reading.Finding ?? "out of step"));
            }

            after = page[^1].TicketId;
        }

        var run = new ReconciliationRun
        {
            Id = Guid.CreateVersion7(started), Backend = mirror.Backend, StartedAt = started, FinishedAt = time.GetUtcNow(), Checked = checkedCount, InSync = inSync,
            Repaired = findings.Count(f => f.Repaired), Unrepairable = findings.Count(f => !f.Repaired),
            Findings = JsonSerializer.Serialize(findings, JsonSerializerOptions.Web),
        };
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        metrics.Drift(run.Repaired, run.Unrepairable);
        signals.Mirror.Notify();
        if (findings.Count > 0)
        {
            logger.LogWarning("Reconciliation ({Backend}) checked {Checked} tickets: {Repaired} out of step and queued again, {Unrepairable} need a person",
                run.Backend, run.Checked, run.Repaired, run.Unrepairable);
        }

        return run;
    }
}
