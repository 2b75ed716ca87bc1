using TicketToken.Contracts.Payments;
using TicketToken.Payments.Data;
using TicketToken.Payments.Gateways;

namespace TicketToken.Payments.Domain;

/// <summary>What a report of the gateway did to our payment.</summary>
public enum IntentReport
{
    /// <summary>The payment took the reported status.</summary>
    Applied,

    /// <summary>Older than what we know, or after a final status: nothing changed.</summary>
    Stale,

    /// <summary>
    /// A success for another amount or currency than the order's: not applied, so the order is not confirmed (see
    /// <see cref="PaymentReview.AmountMismatch"/>).
    /// </summary>
    AmountMismatch,

    /// <summary>A success for a payment whose row a webhook made before we knew the order's amount: checked when we do.</summary>
    Unverified,
}

/// <summary>
/// How a payment's status may move when the gateway reports one, whatever order the reports arrive in. Succeeded is
/// final: money came in, so nothing later (a late payment_failed, a cancel) takes it back. Canceled is final except
/// against succeeded. Between the others, the newer report (by the gateway's own time) wins. A success counts only for
/// the amount and currency of the order: the last line of defence should a signed report ever say otherwise.
/// </summary>
public static class IntentStatus
{
    public static bool IsFinal(string status) => status is PaymentStatuses.Succeeded or PaymentStatuses.Canceled;

    /// <summary>Applies a report made at <paramref name="at"/> (the gateway's time).</summary>
    public static IntentReport Apply(Payment payment, GatewayIntent intent, DateTimeOffset at)
    {
        if (intent.Status == PaymentStatuses.Succeeded && payment.Status != PaymentStatuses.Succeeded)
        {
            if (!payment.AmountFromOrder)
            {
                return IntentReport.Unverified;
            }

            if (intent.Amount != payment.Amount || !string.Equals(intent.Currency, payment.Currency, StringComparison.Ordinal))
            {
                return IntentReport.AmountMismatch;
            }
        }

        var moves = intent.Status == PaymentStatuses.Succeeded
            ? payment.Status != PaymentStatuses.Succeeded
            : !IsFinal(payment.Status) && at >= payment.StatusChangedAt;
        if (!moves)
        {
            return IntentReport.Stale;
        }

        payment.Status = intent.Status;
        payment.StatusChangedAt = at;
        payment.FailureCode = intent.LastError?.Reason;
        payment.FailureMessage = intent.LastError?.Message;
        payment.ClientSecret ??= intent.ClientSecret;
        return IntentReport.Applied;
    }

    /// <summary>Marks the payment for support: the gateway reported a success that does not match the order.</summary>
    public static bool Flag(Payment payment, GatewayIntent intent, DateTimeOffset now)
    {
        if (payment.Review is not null)
        {
            return false;
        }

        payment.Review = PaymentReview.AmountMismatch;
        payment.ReportedAmount = intent.Amount;
        payment.ReportedCurrency = intent.Currency;
        payment.FlaggedAt = now;
        return true;
    }
}

/// <summary>Why support has to look at a payment (<c>payments.review</c>).</summary>
public static class PaymentReview
{
    /// <summary>
    /// A signed succeeded report whose amount or currency differs from the order's: the order is not confirmed, and the
    /// money the gateway holds is left to support to refund (docs/adr/0010).
    /// </summary>
    public const string AmountMismatch = "amount_mismatch";
}
