using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Marketplace.Apis;
using TicketToken.Marketplace.Data;
using TicketToken.Marketplace.Subscriptions;
using TicketToken.Marketplace.Workflows;
using TicketToken.Marketplace.Workflows.Activities;

namespace TicketToken.Marketplace;

/// <summary>Resale: listings within a price cap, the resale saga (escrow, reissue, split, refund), search and price history.</summary>
public sealed class MarketplaceModule : Module
{
    public const string Id = "marketplace";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module)
    {
        module.Services.AddValidation();
        module.Services.AddOptions<MarketplaceOptions>().Bind(module.Configuration.GetSection(MarketplaceOptions.Section))
            .Validate(o => o.PlatformFeeBasisPoints is >= 0 and <= 10_000, "TicketToken:Marketplace:PlatformFeeBasisPoints is between 0 and 10000.")
            .Validate(o => o.PaymentWindow >= TimeSpan.FromSeconds(30), "TicketToken:Marketplace:PaymentWindow is at least 30 seconds.")
            .Validate(o => o.EscrowAfterEvent >= TimeSpan.Zero, "TicketToken:Marketplace:EscrowAfterEvent cannot be negative.")
            .Validate(o => o.JurisdictionCapPercent.Values.All(p => p is >= 0 and <= 100), "TicketToken:Marketplace:JurisdictionCapPercent values are 0 to 100.")
            .Validate(o => o.OfferLifetime >= TimeSpan.FromMinutes(1), "TicketToken:Marketplace:OfferLifetime is at least a minute.")
            .Validate(o => o.MaxActiveListingsPerSeller >= 1, "TicketToken:Marketplace:MaxActiveListingsPerSeller is at least 1.")
            .Validate(o => o.MaxListingsPerSellerPerEvent is null or >= 1, "TicketToken:Marketplace:MaxListingsPerSellerPerEvent is at least 1 when set.")
            .Validate(o => o.ListingCooldownAfterPurchase >= TimeSpan.Zero, "TicketToken:Marketplace:ListingCooldownAfterPurchase cannot be negative.")
            .ValidateOnStart();
        module.AddDbContext<MarketplaceDbContext>(MarketplaceDbContext.SchemaName)
            .AddWorkflow<ResaleWorkflow>()
            .AddWorkflowActivity<CreateResalePayment>()
            .AddWorkflowActivity<CancelResalePayment>()
            .AddWorkflowActivity<ReopenListing>()
            .AddWorkflowActivity<MarkResalePaid>()
            .AddWorkflowActivity<ReissueResoldTicket>()
            .AddWorkflowActivity<CompleteResale>()
            .AddWorkflowActivity<RefundResalePayment>()
            .AddWorkflowActivity<EndFailedResale>()
            .AddWorkflow<ListingExpiryWorkflow>()
            .AddWorkflowActivity<ExpireListing>()
            .Subscribe<EventPublished, RecordResalePolicy>(EventPublished.Topic)
            .Subscribe<EventCancelled, CloseCancelledEvent>(EventCancelled.Topic)
            .Subscribe<OrderConfirmed, RecordOrderAmounts>(OrderConfirmed.Topic)
            .Subscribe<ResaleReserved, StartResale>(ResaleReserved.Topic)
            .Subscribe<ListingOpened, StartListingExpiry>(ListingOpened.Topic)
            .Subscribe<PaymentSucceeded, ForwardResalePayment>(PaymentSucceeded.Topic);
    }

    public override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapListingsApi();
        endpoints.MapOffersApi();
        endpoints.MapOrganizerMarketplaceApi();
    }
}
