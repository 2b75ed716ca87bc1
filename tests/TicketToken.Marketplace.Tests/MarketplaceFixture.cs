using System.Net;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Marketplace;
using TicketToken.Orders;
using TicketToken.Payments;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// Every module a resale touches (identity, catalog, inventory, orders, payments on the simulated gateway, tickets,
/// marketplace) in one host on a fresh database, as the embedded default runs them.
/// </summary>
public class MarketplaceFixture : ModuleHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Orders:TaxRates:DE"] = "1900",
        ["TicketToken:Payments:Gateway"] = "simulated",
        ["TicketToken:Payments:WebhookSecret"] = "whsec_marketplace_tests",
        ["TicketToken:Marketplace:MaxActiveListingsPerSeller"] = "50",
    };

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new CatalogModule(), new InventoryModule(), new OrdersModule(), new PaymentsModule(), new TicketsModule(), new MarketplaceModule()];

    /// <summary>An organizer's German event on sale through catalog's API: one row of <paramref name="seats"/> seats at 50.00, with the given resale policy.</summary>
    public async Task<(Person Admin, Guid OrganizerId, Guid EventId)> OnSaleEventAsync(object resale, int seats = 6)
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync();
        var venue = await PostAsync(admin, "/api/venues", new
        {
            organizerId, name = "Resale Hall", timeZone = "Europe/Berlin", capacity = 500,
            address = new { line1 = "Kai 2", city = "Hamburg", postalCode = "20457", country = "DE" },
        });
        var seatMap = await OnSaleEvents.ImportSeatMapAsync(Client, admin, venue.Id(), "Floor", OnSaleEvents.SeatRows("FLOOR", seats, ("A", "STANDARD")));
        var startsAt = DateTimeOffset.UtcNow.AddDays(30);
        var created = await PostAsync(admin, "/api/events", new
        {
            organizerId, venueId = venue.Text("id"), seatMapId = seatMap.Text("id"), name = "Resale Night", category = "concert",
            startsAt, endsAt = startsAt.AddHours(3), currency = "EUR", resale, limits = new { perOrder = 10, perAccount = 10 },
            ticketTypes = new object[] { new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 5_000 } },
        });
        var eventId = created.GetProperty("id").GetGuid();
        await OnSaleEvents.PublishAndOpenSalesAsync(Client, admin, eventId);
        await Eventually.TrueAsync(async () =>
        {
            using var availability = await Client.GetAsync($"/api/inventory/events/{eventId}/availability");
            return availability.StatusCode == HttpStatusCode.OK
                && await Database.ScalarAsync<long>("select count(*) from orders.ticket_prices where event_id = $1", eventId) == 1
                && await Database.ScalarAsync<long>("select count(*) from marketplace.events where id = $1", eventId) == 1;
        }, "inventory, orders and the marketplace know the published event");
        return (admin, organizerId, eventId);
    }

    /// <summary>A fan buys the seats through the real purchase (hold, checkout, card) and gets their active tickets, once the marketplace knows what the order cost.</summary>
    public async Task<IReadOnlyList<Guid>> BuyAsync(Person fan, Guid eventId, params string[] seats)
    {
        using var holding = await Client.SendAsync(fan, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { seats });
        var holdId = (await holding.ShouldBeAsync(HttpStatusCode.Created)).GetProperty("holdId").GetGuid();
        using var checkout = fan.Request(HttpMethod.Post, "/api/orders", new { eventId, holdId });
        checkout.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var checkedOut = await Client.SendAsync(checkout);
        var orderId = (await checkedOut.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        JsonElement payment = default;
        await Eventually.TrueAsync(async () =>
        {
            using var order = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{orderId}");
            payment = (await order.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("payment");
            return payment.ValueKind == JsonValueKind.Object && payment.GetProperty("clientSecret").ValueKind == JsonValueKind.String;
        }, "the order shows how to pay");
        await PostAsync(fan, $"/api/payments/simulated/payment-intents/{payment.Text("paymentIntentId")}/confirm",
            new { clientSecret = payment.Text("clientSecret"), cardNumber = "4242424242424242" }, HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("select count(*) from marketplace.order_amounts where order_id = $1", orderId) == 1
            && await Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status = 'active'", orderId) == seats.Length,
            "the tickets are active and the marketplace knows what the order cost", TimeSpan.FromSeconds(60));
        var ids = new List<Guid>();
        foreach (var seat in seats)
        {
            ids.Add(await Database.ScalarAsync<Guid>("select id from tickets.tickets where order_id = $1 and seat_id = $2", orderId, "FLOOR-A-" + seat.Split('-')[^1]));
        }

        return ids;
    }

    /// <summary>What the order cost per ticket (its total over its tickets), the default cap.</summary>
    public Task<long> OrderTotalAsync(Guid ticketId) => Database.ScalarAsync<long>("""
        select o.total from marketplace.order_amounts o join tickets.tickets t on t.order_id = o.order_id where t.id = $1
        """, ticketId);

    /// <summary>A fan who finished seller onboarding at the simulated gateway.</summary>
    public async Task<Person> SellerAsync()
    {
        var fan = await Personas.FanAsync();
        var onboarding = await PostAsync(fan, "/api/payments/sellers/me/connect", new { country = "DE" }, HttpStatusCode.OK);
        await PostAsync(fan, $"/api/payments/simulated/seller-accounts/{onboarding.Text("accountId")}/onboarding", null, HttpStatusCode.OK);
        return fan;
    }

    public async Task<HttpResponseMessage> PurchaseAsync(Person buyer, Guid listingId, string? key = null)
    {
        using var request = buyer.Request(HttpMethod.Post, $"/api/marketplace/listings/{listingId}/purchases");
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await Client.SendAsync(request);
    }

    /// <summary>What Stripe.js does for the buyer: waits for the resale's intent and confirms it with a card.</summary>
    public async Task PayResaleAsync(Person buyer, Guid resaleId, string card = "4242424242424242")
    {
        JsonElement payment = default;
        await Eventually.TrueAsync(async () =>
        {
            using var resale = await Client.SendAsync(buyer, HttpMethod.Get, $"/api/marketplace/resales/{resaleId}");
            payment = (await resale.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("payment");
            return payment.ValueKind == JsonValueKind.Object && payment.GetProperty("clientSecret").ValueKind == JsonValueKind.String;
        }, "the resale shows how to pay");
        await PostAsync(buyer, $"/api/payments/simulated/payment-intents/{payment.Text("paymentIntentId")}/confirm",
            new { clientSecret = payment.Text("clientSecret"), cardNumber = card }, HttpStatusCode.OK);
    }

    public async Task<JsonElement> ResaleReachesAsync(Person fan, Guid resaleId, string status)
    {
        JsonElement resale = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Client.SendAsync(fan, HttpMethod.Get, $"/api/marketplace/resales/{resaleId}");
            return (resale = await response.ShouldBeAsync(HttpStatusCode.OK)).Text("status") == status;
        }, $"resale {resaleId} is {status}", TimeSpan.FromSeconds(90));
        return resale;
    }
}
