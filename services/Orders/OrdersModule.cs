using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Orders.Apis;
using TicketToken.Orders.Data;
using TicketToken.Orders.Subscriptions;
using TicketToken.Orders.Workflows;
using TicketToken.Orders.Workflows.Activities;

namespace TicketToken.Orders;

/// <summary>Checkout, pricing, the purchase and refund sagas, order history and receipts.</summary>
public sealed class OrdersModule : Module
{
    public const string Id = "orders";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddValidation();
        var singleHost = TicketTokenOptions.Read(module.Configuration).Runtime == RuntimeKind.Embedded;
        module.Services.AddOptions<OrdersOptions>().Bind(module.Configuration.GetSection(OrdersOptions.Section))
            .PostConfigure(o => o.SingleHost = singleHost)
            .Validate(o => o.PaymentMargin >= TimeSpan.FromSeconds(5), "TicketToken:Orders:PaymentMargin must leave at least 5 seconds to commit the hold.")
            .Validate(o => o.TaxRates.Values.All(rate => rate is >= 0 and <= 5_000), "TicketToken:Orders:TaxRates are basis points between 0 and 5000.")
            .ValidateOnStart();
        module.AddDbContext<OrdersDbContext>(OrdersDbContext.SchemaName)
            .AddWorkflow<PurchaseWorkflow>()
            .AddWorkflowActivity<CreatePaymentIntent>()
            .AddWorkflowActivity<CancelPaymentIntent>()
            .AddWorkflowActivity<ReleaseHold>()
            .AddWorkflowActivity<MarkPaid>()
            .AddWorkflowActivity<CommitSeats>()
            .AddWorkflowActivity<IssueOrderTickets>()
            .AddWorkflowActivity<ConfirmOrder>()
            .AddWorkflowActivity<UndoPurchase>()
            .AddWorkflowActivity<RefundOrderPayment>()
            .AddWorkflowActivity<FinishOrder>()
            .AddWorkflow<RefundWorkflow>()
            .AddWorkflowActivity<PlanRefund>()
            .AddWorkflowActivity<RevokeRefundedTickets>()
            .AddWorkflowActivity<ReturnRefundedSeats>()
            .AddWorkflowActivity<CompleteRefund>()
            .AddWorkflowActivity<FailRefund>()
            .Subscribe<EventPublished, RecordPublishedEvent>(EventPublished.Topic)
            .Subscribe<EventCancelled, RecordCancelledEvent>(EventCancelled.Topic)
            .Subscribe<OrderPlaced, StartPurchase>(OrderPlaced.Topic)
            .Subscribe<PaymentSucceeded, ForwardPaymentOutcome>(PaymentSucceeded.Topic)
            .Subscribe<PaymentFailed, ForwardPaymentOutcome>(PaymentFailed.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOrdersApi();
        endpoints.MapOrganizerApi();
        endpoints.MapRescheduleRefundsApi();
        endpoints.MapCompsApi();
        endpoints.MapCancellationApi();
        endpoints.MapReportsApi();
        endpoints.MapBoxOfficeApi();
    }
}
