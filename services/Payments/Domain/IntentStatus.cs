using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Stripe;

namespace TicketToken.Payments.Domain;

/// <summary>
/// How a payment's status may move when the gateway reports one, whatever order the reports arrive in. Succeeded is
/// final: money came in, so nothing later (a late payment_failed, a cancel) takes it back. Canceled is final except
/// against succeeded. Between the others, the newer report (by the gateway's own time) wins.
/// </summary>
public static class IntentStatus
{
    public static bool IsFinal(string status) => status is PaymentStatuses.Succeeded or PaymentStatuses.Canceled;

    /// <summary>Applies a report made at <paramref name="at"/> (the gateway's time); false when it was stale and changed nothing.</summary>
    public static bool Apply(Payment payment, StripePaymentIntent intent, DateTimeOffset at)
    {
        var moves = intent.Status == PaymentStatuses.Succeeded
            ? payment.Status != PaymentStatuses.Succeeded
            : !IsFinal(payment.Status) && at >= payment.StatusChangedAt;
        if (!moves)
        {
            return false;
        }

        payment.Status = intent.Status;
        payment.StatusChangedAt = at;
        payment.FailureCode = intent.LastPaymentError is { } error ? error.DeclineCode ?? error.Code : null;
        payment.FailureMessage = intent.LastPaymentError?.Message;
        payment.ClientSecret ??= intent.ClientSecret;
        return true;
    }
}
