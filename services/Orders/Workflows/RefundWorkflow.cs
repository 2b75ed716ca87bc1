using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Contracts.Payments;
using TicketToken.Orders.Workflows.Activities;

namespace TicketToken.Orders.Workflows;

/// <summary>Starts the refund of some lines of a confirmed order (instance id: the refund id, whose row says what and why).</summary>
public sealed record RefundInput(Guid RefundId, Guid OrderId);

/// <summary>
/// A refund: the money goes back through the gateway, the refunded lines' tickets are revoked, their seats return to
/// the sale if the organizer chose so, and the order records it, publishing what the ledger reverses. The money goes
/// first: tickets are never revoked for a refund the gateway refused.
/// </summary>
public sealed class RefundWorkflow : Workflow<RefundInput, RefundState>
{
    public const string Name = nameof(RefundWorkflow);

    private static readonly WorkflowRetryPolicy Dependent = new(8, TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(30)) { Name = "dependent-module" };

    private static readonly WorkflowRetryPolicy Money = new(60, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(30), TimeSpan.FromDays(1)) { Name = "refund" };

    public override async Task<RefundState> RunAsync(WorkflowContext context, RefundInput input)
    {
        var options = new WorkflowTaskOptions(Dependent);
        var plan = await context.CallActivityAsync<RefundPlan>(nameof(PlanRefund), input.RefundId, options);
        try
        {
            await context.CallActivityAsync(nameof(RefundOrderPayment), new RefundPaymentInput(input.OrderId, input.RefundId, plan.Amount, plan.Reason), new WorkflowTaskOptions(Money));
        }
        catch (WorkflowTaskFailedException ex)
        {
            await context.CallActivityAsync(nameof(FailRefund), new FailRefundInput(input.RefundId, ex.FailureDetails.ErrorMessage), options);
            return RefundState.Failed;
        }

        await context.CallActivityAsync(nameof(RevokeRefundedTickets), plan, options);
        if (plan.ReturnSeats)
        {
            await context.CallActivityAsync(nameof(ReturnRefundedSeats), plan, options);
        }

        await context.CallActivityAsync(nameof(CompleteRefund), input.RefundId, options);
        return RefundState.Succeeded;
    }
}
