using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Payments;
using TicketToken.Orders.Domain;
using TicketToken.Orders.Workflows.Activities;

namespace TicketToken.Orders.Workflows;

/// <summary>
/// Starts the saga of one order (instance id: the order id); it pays by <see cref="PayBy"/> or gives up. <see cref="Free"/>:
/// nothing is paid through the gateway, so there is no payment intent: the order's total is zero (comps, free tickets), or
/// the box office took the money at its counter (cash or its own card terminal) before the order was placed.
/// </summary>
public sealed record PurchaseInput(Guid OrderId, DateTime PayBy, bool Free = false);

public sealed record PurchaseResult(OrderStatus Status, string? FailureCode);

/// <summary>What the fan's client polls while it pays (the workflow's custom status).</summary>
public sealed record PurchaseStatus(string Stage, string? Gateway, string? PaymentIntentId, string? ClientSecret, DateTime PayBy);

/// <summary>
/// Raised on the purchase as event <see cref="EventName"/>: the gateway's success (from its webhook, through payments'
/// events) or the fan cancelling. <see cref="Kind"/>: succeeded or cancelled. <c>failed</c> was raised for a declined
/// card before a decline became retryable; nothing raises it now, and it ends a purchase as it did then, so that
/// histories recorded before replay the same way.
/// </summary>
public sealed record PaymentOutcome(PaymentOutcomeKind Kind, string? PaymentIntentId, long ProcessorFee, string? Code, string? Message)
{
    public const string EventName = "payment";
}

/// <summary>How a wait for the payment ended; the names are the text in workflow histories recorded when it was a string.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentOutcomeKind>))]
public enum PaymentOutcomeKind
{
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("cancelled")] Cancelled,

    /// <summary>Nothing arrived before the hold ran out: the workflow decides this itself, nobody raises it.</summary>
    [JsonStringEnumMemberName("timed_out")] TimedOut,
}

/// <summary>
/// The purchase saga (DESIGN.md section 4): a payment intent for the priced order; then the gateway's success, the
/// fan's cancellation, or nothing before the hold runs out. A declined card is not an answer: the intent goes back to
/// requires_payment_method and the fan may try another card until then, while the seats stay held. Paid: the hold is
/// committed (seats sold), tickets are issued, the order is confirmed (the ledger and notifications follow its event).
/// Not paid: the intent is cancelled and the seats go back.
/// Paid but unable to finish (the hold was lost, tickets could not be issued after every retry): the payment is
/// refunded. A succeeded payment ends in tickets or in a refund, never in neither.
/// </summary>
public sealed class PurchaseWorkflow : Workflow<PurchaseInput, PurchaseResult>
{
    public const string Name = nameof(PurchaseWorkflow);

    /// <summary>Calls to other modules: ride out a restart or a brief outage of theirs.</summary>
    private static readonly WorkflowRetryPolicy Dependent = new(8, TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(30)) { Name = "dependent-module" };

    /// <summary>Money going back must get there: retried for a day.</summary>
    private static readonly WorkflowRetryPolicy Refund = new(60, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(30), TimeSpan.FromDays(1)) { Name = "refund" };

    public override async Task<PurchaseResult> RunAsync(WorkflowContext context, PurchaseInput input)
    {
        var options = new WorkflowTaskOptions(Dependent);
        var order = input.OrderId;
        if (input.Free)
        {
            return await CompleteFreeAsync(context, input, options);
        }

        var payment = await context.CallActivityAsync<PaymentView>(nameof(CreatePaymentIntent), order, options);
        context.SetCustomStatus(new PurchaseStatus("awaiting_payment", payment.Gateway, payment.IntentId, payment.ClientSecret, input.PayBy));

        var outcome = await WaitForPaymentAsync(context, input);
        if (outcome.Kind != PaymentOutcomeKind.Succeeded)
        {
            var cancelled = await context.CallActivityAsync<PaymentView>(nameof(CancelPaymentIntent), new CancelPaymentInput(order, outcome.Kind.StoredName()), options);
            if (cancelled.Status != PaymentStatuses.Succeeded)
            {
                var (status, code) = outcome.Kind switch
                {
                    PaymentOutcomeKind.Failed => (OrderStatus.Failed, outcome.Code ?? "payment_failed"),
                    PaymentOutcomeKind.Cancelled => (OrderStatus.Cancelled, "cancelled_by_buyer"),
                    _ => (OrderStatus.Expired, "payment_not_received"),
                };
                context.SetCustomStatus(new PurchaseStatus(status.StoredName(), payment.Gateway, payment.IntentId, null, input.PayBy));
                await context.CallActivityAsync(nameof(ReleaseHold), order, options);
                await context.CallActivityAsync(nameof(FinishOrder), new FinishOrderInput(order, status, code, outcome.Message), options);
                return new PurchaseResult(status, code);
            }

            // The money came in while we were giving up on it: it is a sale after all.
            outcome = new PaymentOutcome(PaymentOutcomeKind.Succeeded, cancelled.IntentId, 0, null, null);
        }

        context.SetCustomStatus(new PurchaseStatus("paid", payment.Gateway, payment.IntentId, null, input.PayBy));
        await context.CallActivityAsync(nameof(MarkPaid), new MarkPaidInput(order, outcome.PaymentIntentId ?? payment.IntentId, outcome.ProcessorFee), options);
        string? failure;
        try
        {
            failure = await context.CallActivityAsync<string?>(nameof(CommitSeats), order, options);
            if (failure is null)
            {
                await context.CallActivityAsync(nameof(IssueOrderTickets), order, options);
                await context.CallActivityAsync(nameof(ConfirmOrder), order, options);
                context.SetCustomStatus(new PurchaseStatus(OrderStatus.Confirmed.StoredName(), payment.Gateway, payment.IntentId, null, input.PayBy));
                return new PurchaseResult(OrderStatus.Confirmed, null);
            }
        }
        catch (WorkflowTaskFailedException ex)
        {
            failure = "purchase_not_completed: " + ex.FailureDetails.ErrorMessage;
        }

        // Paid, but it cannot become tickets: everything it took goes back, and so does the money.
        await context.CallActivityAsync(nameof(UndoPurchase), order, options);
        await context.CallActivityAsync(nameof(RefundOrderPayment), new RefundPaymentInput(order, context.NewGuid(), null, "purchase_not_completed"), new WorkflowTaskOptions(Refund));
        context.SetCustomStatus(new PurchaseStatus(OrderStatus.Failed.StoredName(), payment.Gateway, payment.IntentId, null, input.PayBy));
        await context.CallActivityAsync(nameof(FinishOrder), new FinishOrderInput(order, OrderStatus.Failed, Subscriptions.ForwardPaymentOutcome.RefundedNotCompleted, failure), options);
        return new PurchaseResult(OrderStatus.Failed, Subscriptions.ForwardPaymentOutcome.RefundedNotCompleted);
    }

    /// <summary>Nothing to pay: the seats are committed, tickets issued and the order confirmed; if that fails, everything goes back.</summary>
    private static async Task<PurchaseResult> CompleteFreeAsync(WorkflowContext context, PurchaseInput input, WorkflowTaskOptions options)
    {
        var order = input.OrderId;
        context.SetCustomStatus(new PurchaseStatus("paid", null, null, null, input.PayBy));
        await context.CallActivityAsync(nameof(MarkPaid), new MarkPaidInput(order, null, 0), options);
        string? failure;
        try
        {
            failure = await context.CallActivityAsync<string?>(nameof(CommitSeats), order, options);
            if (failure is null)
            {
                await context.CallActivityAsync(nameof(IssueOrderTickets), order, options);
                await context.CallActivityAsync(nameof(ConfirmOrder), order, options);
                context.SetCustomStatus(new PurchaseStatus(OrderStatus.Confirmed.StoredName(), null, null, null, input.PayBy));
                return new PurchaseResult(OrderStatus.Confirmed, null);
            }
        }
        catch (WorkflowTaskFailedException ex)
        {
            failure = "purchase_not_completed: " + ex.FailureDetails.ErrorMessage;
        }

        await context.CallActivityAsync(nameof(UndoPurchase), order, options);
        context.SetCustomStatus(new PurchaseStatus(OrderStatus.Failed.StoredName(), null, null, null, input.PayBy));
        await context.CallActivityAsync(nameof(FinishOrder), new FinishOrderInput(order, OrderStatus.Failed, "purchase_not_completed", failure), options);
        return new PurchaseResult(OrderStatus.Failed, "purchase_not_completed");
    }

    private static async Task<PaymentOutcome> WaitForPaymentAsync(WorkflowContext context, PurchaseInput input)
    {
        var left = input.PayBy - context.CurrentUtcDateTime;
        try
        {
            return await context.WaitForExternalEventAsync<PaymentOutcome>(PaymentOutcome.EventName, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (TaskCanceledException)
        {
            return new PaymentOutcome(PaymentOutcomeKind.TimedOut, null, 0, "payment_not_received", "No payment arrived before the seats' hold ran out.");
        }
    }
}
