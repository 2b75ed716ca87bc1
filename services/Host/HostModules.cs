using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Marketplace;
using TicketToken.Minting;
using TicketToken.Notifications;
using TicketToken.Orders;
using TicketToken.Tickets;
using TicketToken.Payments;
using TicketToken.Queue;
using TicketToken.Scanning;

namespace TicketToken.Host;

/// <summary>Every module the host can run; TICKETTOKEN__SERVICES picks among them. Adding a module is one line here.</summary>
public static class HostModules
{
    public static IReadOnlyList<Module> All() =>
    [
        new IdentityModule(),
        new CatalogModule(),
        new InventoryModule(),
        new OrdersModule(),
        new TicketsModule(),
        new PaymentsModule(),
        new ScanningModule(),
        new NotificationsModule(),
        new MarketplaceModule(),
        new MintingModule(),
        new QueueModule(),
    ];
}
