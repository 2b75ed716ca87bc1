using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Domain;

/// <summary>
/// Takes in the gateway's verified webhook events. Each event id is recorded once, and in the same transaction its
/// effect is applied and the integration events it causes are written to the outbox: a redelivered event changes
/// nothing, two concurrent deliveries of one event wait for each other on its row, and an event is never half
/// applied. Events may come in any order; see <see cref="IntentStatus"/>.
/// </summary>
public sealed class WebhookInbox(PaymentsDbContext db, IPaymentGateway gateway, ProcessorFees fees, TimeProvider time, ILogger<WebhookInbox> logger)
{
    /// <summary>Records and applies the event; false when it had been recorded before (a duplicate delivery).</summary>
    public async Task<bool> ReceiveAsync(GatewayEvent received, string payload, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        // A concurrent delivery of the same id waits here for this one's transaction, then finds the row and does nothing.
        var recorded = await db.Database.ExecuteSqlAsync(
            $"""
            insert into payments.webhook_events (id, type, created, payload, received_at)
            values ({received.Id}, {received.Type}, {received.Created}, {payload}::jsonb, {now})
            on conflict (id) do nothing
            """, cancellationToken);
        if (recorded == 0)
        {
            return false;
        }

        switch (received.Type)
        {
            case var type when type.StartsWith("payment_intent.", StringComparison.Ordinal):
                await OnPaymentIntentAsync(received, Read<GatewayIntent>(received), now, cancellationToken);
                break;
            case "refund.created" or "refund.updated" or "refund.failed" or "charge.refund.updated":
                await OnRefundAsync(Read<GatewayRefund>(received), now, cancellationToken);
                break;
            case "account.updated":
                await OnAccountAsync(Read<GatewayAccount>(received), now, cancellationToken);
                break;
            default:
                // Recorded, nothing to do: charge.refunded (the refund events carry what we track), transfer.*, ...
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task OnPaymentIntentAsync(GatewayEvent received, GatewayIntent intent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payment = await LockPaymentAsync(intent, now, cancellationToken);
        if (payment is null)
        {
            return;
        }

        var attempt = received.Type is "payment_intent.payment_failed" or "payment_intent.succeeded";
        if (attempt)
        {
            payment.Attempts++;
        }

        payment.UpdatedAt = now;
        PaymentOutcomes.Apply(db, payment, intent, received.Created, received.Type == "payment_intent.payment_failed", fees, logger, now);
    }

    /// <summary>
    /// Our payment for the intent, locked for this transaction. An intent of one of our orders (metadata order_id) that we
    /// have no row for yet (its webhook beat the order's request) gets its row now, with the gateway's amount marked as
    /// such until the order's request completes it; any other intent is not ours.
    /// </summary>
    private async Task<Payment?> LockPaymentAsync(GatewayIntent intent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var payment = await db.Payments.FromSql($"select * from payments.payments where intent_id = {intent.Id} for update").SingleOrDefaultAsync(cancellationToken);
        if (payment is not null)
        {
            return payment;
        }

        if (PaymentMetadata.Id(intent.Metadata, PaymentMetadata.OrderId) is not { } orderId)
        {
            logger.LogInformation("Webhook for payment intent {IntentId}, which is not an order's: recorded, nothing to do", intent.Id);
            return null;
        }

        if (await db.Payments.AnyAsync(p => p.OrderId == orderId, cancellationToken))
        {
            logger.LogWarning("Webhook for payment intent {IntentId} of order {OrderId}, which pays with another intent: recorded, nothing to do", intent.Id, orderId);
            return null;
        }

        payment = new Payment
        {
            OrderId = orderId,
            OrderNumber = intent.Metadata.GetValueOrDefault(PaymentMetadata.OrderNumber),
            BuyerId = PaymentMetadata.Id(intent.Metadata, PaymentMetadata.BuyerId),
            OrganizerId = PaymentMetadata.Id(intent.Metadata, PaymentMetadata.OrganizerId),
            EventId = PaymentMetadata.Id(intent.Metadata, PaymentMetadata.EventId),
            Gateway = gateway.Name,
            IntentId = intent.Id,
            Status = PaymentStatuses.RequiresPaymentMethod,
            StatusChangedAt = intent.Created,
            Amount = intent.Amount,
            Currency = intent.Currency,
            AmountFromOrder = false,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Payments.Add(payment);
        return payment;
    }

    private async Task OnRefundAsync(GatewayRefund reported, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = await db.Refunds.FromSql($"select * from payments.refunds where gateway_refund_id = {reported.Id} for update").SingleOrDefaultAsync(cancellationToken);
        if (known is not null)
        {
            RefundStatus.Merge(known, RefundStatus.Of(reported.Status), now);
            return;
        }

        // Not recorded yet, or being recorded right now by the refund flow (the actor writes the gateway's answer): the
        // row is inserted unless it exists, which waits for the actor's transaction, then whichever came second merges.
        if (PaymentMetadata.Id(reported.Metadata, PaymentMetadata.RefundId) is { } refundId
            && PaymentMetadata.Id(reported.Metadata, PaymentMetadata.OrderId) is { } orderId
            && await db.Payments.AnyAsync(p => p.OrderId == orderId, cancellationToken))
        {
            await RefundStatus.RecordAsync(db, new Refund
            {
                RefundId = refundId,
                OrderId = orderId,
                GatewayRefundId = reported.Id,
                Amount = reported.Amount,
                Currency = reported.Currency,
                Status = RefundStatus.Of(reported.Status),
                CreatedAt = now,
                UpdatedAt = now,
            }, cancellationToken);
        }
    }

    /// <summary>
    /// account.updated events may come in any order and carry only what changed then, so the account is read back from
    /// the gateway (as Stripe advises when order matters) and what it says now is kept.
    /// </summary>
    private async Task OnAccountAsync(GatewayAccount reported, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = await db.OrganizerAccounts.FromSql($"select * from payments.organizer_accounts where account_id = {reported.Id} for update")
            .SingleOrDefaultAsync(cancellationToken);
        if (account is null)
        {
            return; // not one of our organizers' accounts
        }

        var current = await gateway.GetConnectAccountAsync(reported.Id, cancellationToken);
        account.DetailsSubmitted = current.DetailsSubmitted;
        account.ChargesEnabled = current.ChargesEnabled;
        account.PayoutsEnabled = current.PayoutsEnabled;
        account.UpdatedAt = now;
    }

    /// <summary>data.object as the type says it is; signed by the right secret, so a mismatch is a bug on one side.</summary>
    private static T Read<T>(GatewayEvent received) where T : class =>
        received.DataObject as T ?? throw new InvalidWebhookEventException($"Event {received.Id} ({received.Type}) does not carry a {typeof(T).Name[7..].ToLowerInvariant()}.");
}

/// <summary>
/// What a report of the intent's state publishes, the same whether it came by webhook or as the gateway's answer to us:
/// PaymentSucceeded once per intent, for the order's amount only; PaymentFailed once per declined attempt while the
/// payment can still be paid; a success for another amount flagged for support and logged, never published.
/// </summary>
public static class PaymentOutcomes
{
    public static void Apply(PaymentsDbContext db, Payment payment, GatewayIntent intent, DateTimeOffset at, bool declined, ProcessorFees fees, ILogger logger,
        DateTimeOffset now)
    {
        var report = IntentStatus.Apply(payment, intent, at);
        switch (report)
        {
            case IntentReport.AmountMismatch:
                if (IntentStatus.Flag(payment, intent, now))
                {
                    logger.LogError(
                        "Payment intent {IntentId} of order {OrderId} reported succeeded for {ReportedAmount} {ReportedCurrency}, but the order is {Amount} {Currency}: " +
                        "not confirmed; flagged amount_mismatch for support, who refund what the gateway holds",
                        intent.Id, payment.OrderId, intent.Amount, intent.Currency, payment.Amount, payment.Currency);
                }

                return;
            case IntentReport.Unverified:
                logger.LogWarning("Payment intent {IntentId} of order {OrderId} reported succeeded before the order's payment was recorded: checked once it is",
                    intent.Id, payment.OrderId);
                return;
        }

        if (payment.Status == PaymentStatuses.Succeeded && payment.SucceededAt is null)
        {
            payment.SucceededAt = at;
            db.Publish(PaymentSucceeded.Topic, new PaymentSucceeded(payment.OrderId, payment.IntentId, payment.Amount, payment.Currency, fees.For(payment.Amount), at)
            {
                Attempt = payment.Attempts,
            });
        }
        else if (declined && !IntentStatus.IsFinal(payment.Status))
        {
            // Every declined attempt is news for the order (attempts, last decline code), even one that arrives after a
            // newer state: its own code and message, not whatever the payment shows now.
            payment.FailedAt = at;
            db.Publish(PaymentFailed.Topic, new PaymentFailed(payment.OrderId, payment.IntentId, intent.LastError?.Reason ?? "payment_failed",
                intent.LastError?.Message ?? "The payment failed.", at)
            {
                Attempt = payment.Attempts,
            });
        }
    }
}

/// <summary>A verified event whose object cannot be read as its type says.</summary>
public sealed class InvalidWebhookEventException(string message) : Exception(message);

/// <summary>A refund's status in our terms: <c>pending</c>, then <c>succeeded</c> or <c>failed</c>.</summary>
public static class RefundStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Stripe's refund statuses: pending and requires_action are still pending; canceled is a failure.</summary>
    public static string Of(string gatewayStatus) => gatewayStatus switch
    {
        "succeeded" => Succeeded,
        "failed" or "canceled" => Failed,
        _ => Pending,
    };

    /// <summary>
    /// Records a refund whichever of the refund flow and its webhook comes first: inserted unless its row exists (which
    /// waits for a concurrent insert of the same refund to commit, instead of failing on the key), then merged.
    /// </summary>
    public static async Task<Refund> RecordAsync(PaymentsDbContext db, Refund refund, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            insert into payments.refunds (refund_id, order_id, gateway_refund_id, amount, currency, status, failure_message, created_at, updated_at)
            values ({refund.RefundId}, {refund.OrderId}, {refund.GatewayRefundId}, {refund.Amount}, {refund.Currency}, {refund.Status},
                    {refund.FailureMessage}, {refund.CreatedAt}, {refund.UpdatedAt})
            on conflict do nothing
            """, cancellationToken);
        var recorded = await db.Refunds.FromSql($"select * from payments.refunds where refund_id = {refund.RefundId} for update").SingleAsync(cancellationToken);
        Merge(recorded, refund.Status, refund.UpdatedAt);
        return recorded;
    }

    public static void Merge(Refund refund, string reported, DateTimeOffset now)
    {
        var next = Next(refund.Status, reported);
        if (next == refund.Status)
        {
            return;
        }

        refund.Status = next;
        refund.FailureMessage = next == Failed ? "The gateway could not return the money." : null;
        refund.UpdatedAt = now;
    }

    /// <summary>Failed is final; a succeeded refund can still fail later (Stripe reports that), never go back to pending.</summary>
    public static string Next(string current, string reported) => (current, reported) switch
    {
        (Failed, _) => Failed,
        (Succeeded, Pending) => Succeeded,
        _ => reported,
    };
}
