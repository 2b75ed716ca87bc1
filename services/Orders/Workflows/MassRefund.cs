using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Catalog;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Workflows;

/// <summary>
/// Refunds every paid order of a cancelled event: one <see cref="RefundWorkflow"/> per order, whose refund id is derived
/// from the order, so whatever runs twice (a redelivered event.cancelled, a start cut short by a crash) finds the same
/// refund row and the same workflow instance, and the gateway gets the same idempotency key: no order is refunded twice.
/// The rows are written first and the workflows started after, so a crash in between is mended by the redelivery that
/// follows it; every step converges. A pass's order (docs/adr/0023) gets a refund of the cancelled event's lines only,
/// its share of the pass, with an id derived from the order and the event, so each cancelled event of a pass refunds once.
/// </summary>
public static class MassRefund
{
    private const int Batch = 500;

    public static async Task<int> StartAsync(OrdersDbContext db, IWorkflowClient workflows, EventCancelled cancelled, TimeProvider time, CancellationToken cancellationToken)
    {
        var saleEvent = await db.Events.SingleOrDefaultAsync(e => e.Id == cancelled.EventId, cancellationToken);
        if (saleEvent is null)
        {
            return 0; // never published here: nothing was sold
        }

        if (await db.EventCancellations.AsNoTracking().SingleOrDefaultAsync(c => c.EventId == cancelled.EventId, cancellationToken) is not { } cancellation)
        {
            cancellation = new EventCancellation
            {
                EventId = cancelled.EventId, OrganizerId = saleEvent.OrganizerId, Reason = cancelled.Reason, CancelledAt = cancelled.CancelledAt,
                FeePolicy = cancelled.FeePolicy == EventCancelled.KeepFees ? EventCancelled.KeepFees : EventCancelled.RefundFees,
            };
            db.EventCancellations.Add(cancellation);
            await db.SaveChangesAsync(cancellationToken);
        }

        var keepFees = cancellation.FeePolicy == EventCancelled.KeepFees;
        var paid = await db.Orders.AsNoTracking()
            .Where(o => (o.PassId == null ? o.EventId == cancelled.EventId : o.Lines.Any(l => l.EventId == cancelled.EventId))
                && o.Total > 0 && o.PaymentMethod == null && (o.Status == OrderStatus.Confirmed || o.Status == OrderStatus.PartiallyRefunded))
            .Select(o => o.Id).OrderBy(id => id).ToListAsync(cancellationToken);
        foreach (var chunk in paid.Chunk(Batch))
        {
            var ids = chunk.ToList();
            var started = await db.Refunds.AsNoTracking().Where(r => ids.Contains(r.OrderId) && r.Cause == RefundCauses.EventCancelled && r.EventId == cancelled.EventId)
                .Select(r => r.OrderId).ToListAsync(cancellationToken);
            var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => ids.Contains(o.Id) && !started.Contains(o.Id)).ToListAsync(cancellationToken);
            var open = await db.Refunds.AsNoTracking().Where(r => ids.Contains(r.OrderId) && r.Status != RefundStatuses.Failed).Select(r => new { r.OrderId, r.Lines })
                .ToListAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var order in orders)
            {
                // Lines refunded already, or in an organizer's refund under way, are that refund's.
                var taken = open.Where(r => r.OrderId == order.Id).SelectMany(r => r.Lines).ToHashSet();
                var lines = order.Lines.Where(l => !l.Refunded && !taken.Contains(l.LineNumber) && (l.EventId ?? order.EventId) == cancelled.EventId)
                    .OrderBy(l => l.LineNumber).ToList();
                var amount = RefundShares.Of(lines, keepFees).Total;
                if (lines.Count == 0 || amount == 0)
                {
                    continue;
                }

                db.Refunds.Add(new Refund
                {
                    Id = order.PassId is null ? RefundIdOf(order.Id) : RefundIdOf(order.Id, cancelled.EventId), OrderId = order.Id, EventId = cancelled.EventId, Lines = [.. lines.Select(l => l.LineNumber)], Amount = amount, ReturnSeats = false,
                    Reason = RefundCauses.EventCancelled, Status = RefundStatuses.Pending, RequestedBy = cancellation.OrganizerId, CreatedAt = now,
                    Cause = RefundCauses.EventCancelled, KeepFees = keepFees,
                });
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        var total = await db.Refunds.CountAsync(r => r.Cause == RefundCauses.EventCancelled && r.EventId == cancelled.EventId, cancellationToken);
        await db.EventCancellations.Where(c => c.EventId == cancelled.EventId).ExecuteUpdateAsync(c => c.SetProperty(x => x.Orders, total), cancellationToken);

        var pending = await db.Refunds.AsNoTracking()
            .Where(r => r.Cause == RefundCauses.EventCancelled && r.Status == RefundStatuses.Pending && r.EventId == cancelled.EventId)
            .Select(r => new { r.Id, r.OrderId }).ToListAsync(cancellationToken);
        foreach (var refund in pending)
        {
            // Idempotent: the instance id is the refund's, so a second start of the same refund is the same workflow.
            await workflows.ScheduleNewWorkflowAsync(RefundWorkflow.Name, refund.Id.ToString("N"), new RefundInput(refund.Id, refund.OrderId), cancellationToken);
        }

        return total;
    }

    public static Guid RefundIdOf(Guid orderId) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"event-cancelled-refund/{orderId:N}")).AsSpan(0, 16));

    /// <summary>A pass's order has one cancellation refund per cancelled event of the pass.</summary>
    public static Guid RefundIdOf(Guid orderId, Guid eventId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"event-cancelled-refund/{orderId:N}/{eventId:N}")).AsSpan(0, 16));
}
