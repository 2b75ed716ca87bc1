using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Marketplace.Workflows.Activities;

namespace TicketToken.Marketplace.Workflows;

/// <summary>Sleeps until the listing's resale window closes (instance id: <see cref="ListingExpiryWorkflow.InstanceId"/>); its timer is a durable reminder.</summary>
public sealed record ListingExpiryInput(Guid ListingId, DateTime ExpiresAt);

/// <summary>
/// The durable reminder that ends a listing when its event's resale window closes: a timer survives restarts (it is a
/// reminder in the runtime's store) and fires at the listing's expiry, then <see cref="ExpireListing"/> ends the listing and
/// unlocks its ticket if it is still on sale. Sold, withdrawn or reserved listings are left alone (a reserved one is ended
/// by its resale's saga, which knows the expiry too).
/// </summary>
public sealed class ListingExpiryWorkflow : Workflow<ListingExpiryInput, bool>
{
    public const string Name = nameof(ListingExpiryWorkflow);

    private static readonly WorkflowRetryPolicy Dependent = new(8, TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(30)) { Name = "dependent-module" };

    public static string InstanceId(Guid listingId) => "listing-expiry-" + listingId.ToString("N");

    public override async Task<bool> RunAsync(WorkflowContext context, ListingExpiryInput input)
    {
        if (input.ExpiresAt > context.CurrentUtcDateTime)
        {
            await context.CreateTimer(input.ExpiresAt);
        }

        return await context.CallActivityAsync<bool>(nameof(ExpireListing), input.ListingId, new WorkflowTaskOptions(Dependent));
    }
}
