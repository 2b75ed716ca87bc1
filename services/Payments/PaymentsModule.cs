using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Payments.Actors;
using TicketToken.Payments.Apis;
using TicketToken.Payments.Data;
using TicketToken.Payments.Domain;
using TicketToken.Payments.Gateways;
using TicketToken.Payments.Simulated;
using TicketToken.Payments.Subscriptions;

namespace TicketToken.Payments;

/// <summary>
/// Payment intents at Stripe through Stripe.net (or at the Stripe-compatible simulated gateway this module maps outside
/// Production), its webhooks, refunds, the double-entry ledger, Connect onboarding and payouts.
/// </summary>
public sealed class PaymentsModule : Module
{
    public const string Id = "payments";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        var services = module.Services;
        services.AddValidation();
        services.AddOptions<PaymentsOptions>().Bind(module.Configuration.GetSection(PaymentsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PaymentsOptions>, PaymentsOptionsValidation>();
        services.AddStripeGateway();
        services.AddSingleton<SimulatedStripe>();
        services.AddScoped<SimulatedStripeApi.Server>();
        services.AddSingleton<ProcessorFees>();
        services.AddScoped<WebhookInbox>();
        services.AddScoped<PayoutRun>();
        services.AddScoped<SellerPayoutRun>();
        module.AddDbContext<PaymentsDbContext>(PaymentsDbContext.SchemaName)
            .AddActor<OrderPaymentActor>(PaymentsActors.OrderPayment)
            .AddScheduledJob<PayoutJob>(PayoutJob.ActorType, PayoutJob.ActorId, sp => sp.GetRequiredService<IOptions<PaymentsOptions>>().Value.Payouts.Interval)
            .AddActor<SellerAccountActor>(SellerAccounts.TypeName)
            .Subscribe<Contracts.Marketplace.ResaleCompleted, PostResale>(Contracts.Marketplace.ResaleCompleted.Topic)
            .Subscribe<Contracts.Marketplace.ResaleRefunded, ReverseResale>(Contracts.Marketplace.ResaleRefunded.Topic)
            .Subscribe<OrderConfirmed, PostSale>(OrderConfirmed.Topic)
            .Subscribe<OrderRefunded, PostRefund>(OrderRefunded.Topic)
            .Subscribe<SimulatedWebhook, DeliverSimulatedWebhook>(SimulatedWebhook.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWebhooksApi();
        endpoints.MapOrganizerPaymentsApi();
        endpoints.MapPayoutsApi();
        endpoints.MapReportsApi();
        endpoints.MapSellerPaymentsApi();
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<PaymentsOptions>>().Value.UsesStripe)
        {
            endpoints.MapSimulatedStripeApi();
            endpoints.MapSimulatedGatewayApi();
            endpoints.MapSimulatedSellerOnboarding();
        }
    }
}
