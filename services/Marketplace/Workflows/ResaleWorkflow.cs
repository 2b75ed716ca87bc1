using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Payments;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Workflows.Activities;

namespace TicketToken.Marketplace.Workflows;

/// <summary>Starts the saga of one resale (instance id: the resale id); the buyer pays by <see cref="PayBy"/> or the listing goes back on sale.</summary>
public sealed record ResaleInput(Guid ResaleId, DateTime PayBy);

public sealed record ResaleResult(string Status, string? FailureCode);

/// <summary>Raised on the resale as event <see cref="EventName"/>: the gateway's success (from payments' event) or nothing.</summary>
public sealed record ResalePaymentOutcome(string Kind, string? PaymentIntentId, long ProcessorFee)
{
    public const string EventName = "payment";
    public const string Succeeded = "succeeded";
}

/// <summary>
/// The resale saga (DESIGN.md section 4, "Resale"), built as the purchase saga is: a payment intent for the listing's
/// price (payments' order payment, keyed by the resale id), then the gateway's success or nothing before the buyer's hold
/// on the listing runs out. Not paid: the intent is cancelled and the listing is back on sale. Paid: the ticket is
/// reissued to the buyer (new owner, new secret) and the resale completed, which publishes the split for the ledger.
/// Paid but the ticket cannot be reissued (it was refunded, the event was cancelled): the payment is refunded and the
/// listing ends. A succeeded resale payment ends in a reissued ticket or a refund, never in neither.
/// </summary>
public sealed class ResaleWorkflow : Workflow<ResaleInput, ResaleResult>
{
    public const string Name = nameof(ResaleWorkflow);

    /// <summary>Calls to other modules: ride out a restart or a brief outage of theirs.</summary>
    private static readonly WorkflowRetryPolicy Dependent = new(8, TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(30)) { Name = "dependent-module" };

    /// <summary>Money going back must get there: retried for a day.</summary>
    private static readonly WorkflowRetryPolicy Refund = new(60, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(30), TimeSpan.FromDays(1)) { Name = "refund" };

    public override async Task<ResaleResult> RunAsync(WorkflowContext context, ResaleInput input)
    {
        var options = new WorkflowTaskOptions(Dependent);
        var resale = input.ResaleId;
        var payment = await context.CallActivityAsync<PaymentView>(nameof(CreateResalePayment), resale, options);

        var outcome = await WaitForPaymentAsync(context, input);
        if (outcome is null)
        {
            var cancelled = await context.CallActivityAsync<PaymentView>(nameof(CancelResalePayment), resale, options);
            if (cancelled.Status != PaymentStatuses.Succeeded)
            {
                await context.CallActivityAsync(nameof(ReopenListing), new EndResaleInput(resale, ResaleStatuses.Expired, "payment_not_received"), options);
                return new ResaleResult(ResaleStatuses.Expired, "payment_not_received");
            }

            // The money came in while we were giving up on it: it is a sale after all.
            outcome = new ResalePaymentOutcome(ResalePaymentOutcome.Succeeded, cancelled.IntentId, 0);
        }

        await context.CallActivityAsync(nameof(MarkResalePaid), new MarkResalePaidInput(resale, outcome.PaymentIntentId ?? payment.IntentId, outcome.ProcessorFee), options);
        string? failure;
        try
        {
            failure = await context.CallActivityAsync<string?>(nameof(ReissueResoldTicket), resale, options);
            if (failure is null)
            {
                await context.CallActivityAsync(nameof(CompleteResale), resale, options);
                return new ResaleResult(ResaleStatuses.Completed, null);
            }
        }
        catch (WorkflowTaskFailedException ex)
        {
            failure = "reissue_failed: " + ex.FailureDetails.ErrorMessage;
        }

        // Paid, but the ticket cannot be handed over: the money goes back and the listing ends.
        await context.CallActivityAsync(nameof(RefundResalePayment), new RefundResaleInput(resale, context.NewGuid()), new WorkflowTaskOptions(Refund));
        await context.CallActivityAsync(nameof(EndFailedResale), new EndResaleInput(resale, ResaleStatuses.Failed, failure), options);
        return new ResaleResult(ResaleStatuses.Failed, failure);
    }

    private static async Task<ResalePaymentOutcome?> WaitForPaymentAsync(WorkflowContext context, ResaleInput input)
    {
        var left = input.PayBy - context.CurrentUtcDateTime;
        try
        {
            return await context.WaitForExternalEventAsync<ResalePaymentOutcome>(ResalePaymentOutcome.EventName, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }
}
