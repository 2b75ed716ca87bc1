using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks;
using TicketToken.Minting.Data;

namespace TicketToken.Minting.Domain;

/// <summary>Wakes the mirror when a change was committed (it also polls, for changes committed by another replica).</summary>
public sealed class MintingSignals : IDisposable
{
    public AsyncSignal Mirror { get; } = new();

    public void Dispose() => Mirror.Dispose();
}

/// <summary>
/// Brings the mirror up to what the database says, ticket by ticket, in the background: tickets whose last change is not mirrored
/// yet are leased (so replicas do not work on the same one), applied, and marked. A failure (the chain down, no funds) backs off
/// exponentially; the backlog drains when the backend is back.
/// </summary>
public sealed class MirrorWorker(IServiceScopeFactory scopes, MintingSignals signals, IOptions<MintingOptions> options, TimeProvider time,
    ILogger<MirrorWorker> logger) : BackgroundService
{
    private const int BatchSize = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await PassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The minting mirror pass failed; trying again");
                claimed = 0;
            }

            if (claimed < BatchSize)
            {
                try
                {
                    await signals.Mirror.WaitAsync(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One batch: returns how many tickets it took.</summary>
    public async Task<int> PassAsync(CancellationToken cancellationToken)
    {
        List<Guid> claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MintingDbContext>();
            var now = time.GetUtcNow();
            var leaseUntil = now + options.Value.Lease;
            claimed = await db.Database.SqlQuery<Guid>($"""
                update minting.tickets set lease_until = {leaseUntil}
                where ticket_id in (select ticket_id from minting.tickets
                                    where mirrored_sequence < sequence and (next_attempt_at is null or next_attempt_at <= {now})
                                      and (lease_until is null or lease_until < {now})
                                    order by changed_at limit {BatchSize} for update skip locked)
                returning ticket_id as "Value"
                """).ToListAsync(cancellationToken);
        }

        foreach (var ticketId in claimed)
        {
            await MirrorAsync(ticketId, cancellationToken);
        }

        return claimed.Count;
    }

    private async Task MirrorAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MintingDbContext>();
        var mirror = scope.ServiceProvider.GetRequiredService<IOwnershipMirror>();
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.TicketId == ticketId, cancellationToken);
        var seen = ticket.Sequence;
        var now = time.GetUtcNow();
        try
        {
            var result = await mirror.ApplyAsync(ticket, cancellationToken);
            if (result == MirrorResult.Done)
            {
                await db.Database.ExecuteSqlAsync($"""
                    update minting.tickets set mirrored_sequence = greatest(mirrored_sequence, {seen}), attempts = 0, next_attempt_at = null,
                        lease_until = null, last_error = null
                    where ticket_id = {ticketId}
                    """, cancellationToken);
            }
            else
            {
                var next = time.GetUtcNow() + TimeSpan.FromMilliseconds(500);
                await db.Database.ExecuteSqlAsync($"update minting.tickets set next_attempt_at = {next}, lease_until = null where ticket_id = {ticketId}",
                    cancellationToken);
            }
        }
        catch (MirrorUnrepairableException e)
        {
            // Retrying cannot help: recorded for reconciliation to report, and the ticket's later changes are still mirrored.
            logger.LogError("Ticket {TicketId} cannot be mirrored: {Reason}", ticketId, e.Message);
            await db.Database.ExecuteSqlAsync($"""
                update minting.tickets set mirrored_sequence = greatest(mirrored_sequence, {seen}), lease_until = null, last_error = {e.Message}
                where ticket_id = {ticketId}
                """, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var attempts = ticket.Attempts + 1;
            var backoff = TimeSpan.FromTicks(Math.Min(options.Value.RetryMaxBackoff.Ticks,
                options.Value.RetryInitialBackoff.Ticks * (1L << Math.Min(attempts - 1, 20))));
            var next = now + backoff;
            var error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            logger.LogWarning("Mirroring ticket {TicketId} failed (attempt {Attempts}), next try at {Next}: {Error}", ticketId, attempts, next, error);
            await db.Database.ExecuteSqlAsync($"""
                update minting.tickets set attempts = {attempts}, next_attempt_at = {next}, lease_until = null, last_error = {error}
                where ticket_id = {ticketId}
                """, CancellationToken.None);
        }
    }
}
