using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Domain;

/// <summary>
/// Takes in the gateway's verified webhook events. Each event id is recorded once, and in the same transaction its
/// effect is applied and the integration events it causes are written to the outbox: a redelivered event changes
/// nothing, and an event is never half applied. Events may come in any order; see <see cref="IntentStatus"/>.
/// </summary>
public sealed class WebhookInbox(PaymentsDbContext db, IPaymentGateway gateway, ProcessorFees fees, TimeProvider time, ILogger<WebhookInbox> logger)
{
    /// <summary>Records and applies the event; false when it had been recorded before (a duplicate delivery).</summary>
    public async Task<bool> ReceiveAsync(StripeEvent stripeEvent, string payload, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var recorded = await db.Database.ExecuteSqlAsync(
            $"""
            insert into payments.webhook_events (id, type, created, payload, received_at)
            values ({stripeEvent.Id}, {stripeEvent.Type}, {stripeEvent.Created}, {payload}::jsonb, {now})
            on conflict (id) do nothing
            """, cancellationToken);
        if (recorded == 0)
        {
            return false;
        }

        switch (stripeEvent.Type)
        {
            case var type when type.StartsWith("payment_intent.", StringComparison.Ordinal):
                await OnPaymentIntentAsync(stripeEvent, now, cancellationToken);
                break;
            case "refund.created" or "refund.updated" or "refund.failed" or "charge.refund.updated":
                await OnRefundAsync(stripeEvent, now, cancellationToken);
                break;
            case "account.updated":
                await OnAccountAsync(stripeEvent, now, cancellationToken);
                break;
            default:
                // Recorded, nothing to do: charge.refunded (the refund events carry what we track), transfer.*, ...
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task OnPaymentIntentAsync(StripeEvent stripeEvent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var intent = Read(stripeEvent.ReadPaymentIntent);
        var payment = await LockPaymentAsync(intent, now, cancellationToken);
        if (payment is null)
        {
            return;
        }

        var applied = IntentStatus.Apply(payment, intent, stripeEvent.Created);
        payment.UpdatedAt = now;
        if (payment.Status == PaymentStatuses.Succeeded && payment.SucceededAt is null)
        {
            payment.SucceededAt = stripeEvent.Created;
            db.Publish(PaymentSucceeded.Topic, new PaymentSucceeded(payment.OrderId, payment.IntentId, payment.Amount, payment.Currency,
                fees.For(payment.Amount), stripeEvent.Created));
        }
        else if (stripeEvent.Type == "payment_intent.payment_failed" && applied && payment.FailedAt is null)
        {
            payment.FailedAt = stripeEvent.Created;
            db.Publish(PaymentFailed.Topic, new PaymentFailed(payment.OrderId, payment.IntentId, payment.FailureCode ?? "payment_failed",
                payment.FailureMessage ?? "The payment failed.", stripeEvent.Created));
        }
    }

    /// <summary>
    /// Our payment for the intent, locked for this transaction. An intent of one of our orders (metadata order_id) that we
    /// have no row for yet (its webhook beat the actor's write) gets its row now; any other intent is not ours.
    /// </summary>
    private async Task<Payment?> LockPaymentAsync(StripePaymentIntent intent, DateTimeOffset now, CancellationToken cancellationToken)
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
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Payments.Add(payment);
        return payment;
    }

    private async Task OnRefundAsync(StripeEvent stripeEvent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reported = Read(stripeEvent.ReadRefund);
        var refund = await db.Refunds.FromSql($"select * from payments.refunds where gateway_refund_id = {reported.Id} for update").SingleOrDefaultAsync(cancellationToken);
        if (refund is not null)
        {
            refund.Status = RefundStatus.Next(refund.Status, RefundStatus.Of(reported.Status));
            refund.FailureMessage = refund.Status == RefundStatus.Failed ? "The gateway could not return the money." : null;
            refund.UpdatedAt = now;
            return;
        }

        // The webhook beat the actor's write of the gateway's answer: record it from the metadata we sent.
        if (PaymentMetadata.Id(reported.Metadata, PaymentMetadata.RefundId) is { } refundId
            && PaymentMetadata.Id(reported.Metadata, PaymentMetadata.OrderId) is { } orderId
            && await db.Payments.AnyAsync(p => p.OrderId == orderId, cancellationToken))
        {
            db.Refunds.Add(new Refund
            {
                RefundId = refundId,
                OrderId = orderId,
                GatewayRefundId = reported.Id,
                Amount = reported.Amount,
                Currency = reported.Currency,
                Status = RefundStatus.Of(reported.Status),
                CreatedAt = now,
                UpdatedAt = now,
            });
        }
    }

    /// <summary>
    /// account.updated events may come in any order and carry only what changed then, so the account is read back from
    /// the gateway (as Stripe advises when order matters) and what it says now is kept.
    /// </summary>
    private async Task OnAccountAsync(StripeEvent stripeEvent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reported = Read(stripeEvent.ReadAccount);
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
    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException)
        {
            throw new InvalidWebhookEventException(e.Message, e);
        }
    }
}

/// <summary>A verified event whose object cannot be read as its type says.</summary>
public sealed class InvalidWebhookEventException(string message, Exception inner) : Exception(message, inner);

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

    /// <summary>Failed is final; a succeeded refund can still fail later (Stripe reports that), never go back to pending.</summary>
    public static string Next(string current, string reported) => (current, reported) switch
    {
        (Failed, _) => Failed,
        (Succeeded, Pending) => Succeeded,
        _ => reported,
    };
}
