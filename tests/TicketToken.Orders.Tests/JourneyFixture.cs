using System.Net;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Payments;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Orders.Tests;

/// <summary>
/// Every module a purchase touches (identity, catalog, inventory, orders, payments on the simulated gateway, tickets)
/// in one host on a fresh database, as the embedded default runs them.
/// </summary>
public class JourneyFixture : OrdersFixture
{
    public const string WebhookSecret = "whsec_orders_journey_tests";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Payments:Gateway"] = "simulated",
        ["TicketToken:Payments:WebhookSecret"] = WebhookSecret,
    };

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new CatalogModule(), new InventoryModule(), new OrdersModule(), new PaymentsModule(), new TicketsModule(),
         new EventCaptureModule(OrderConfirmed.Topic, OrderEnded.Topic, OrderRefunded.Topic, PaymentSucceeded.Topic)];

    /// <summary>
    /// An organizer's event made through catalog's API: a German venue, 2 rows of 6 seats (row A premium at 89.00, B standard at 49.00), on sale;
    /// <paramref name="generalAdmission"/> adds general-admission types (name, price, capacity).
    /// </summary>
    public Task<(Person Admin, Guid OrganizerId, Guid EventId)> OnSaleEventAsync(params (string Name, long PriceMinor, int Capacity)[] generalAdmission) =>
        OnSaleEventAsync(DateTimeOffset.UtcNow.AddDays(60), generalAdmission);

    /// <summary>The same event starting at <paramref name="startsAt"/> (an hour from now: its gates are open).</summary>
    public async Task<(Person Admin, Guid OrganizerId, Guid EventId)> OnSaleEventAsync(DateTimeOffset startsAt, params (string Name, long PriceMinor, int Capacity)[] generalAdmission)
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync();
        var venue = await PostAsync(admin, "/api/venues", new
        {
            organizerId, name = "Harbour Hall", timeZone = "Europe/Berlin", capacity = 100,
            address = new { line1 = "Kai 1", city = "Hamburg", postalCode = "20457", country = "DE" },
        });
        var seatMap = await OnSaleEvents.ImportSeatMapAsync(Client, admin, venue.Id(), "Concert", OnSaleEvents.SeatRows("STALLS", 6, ("A", "PREMIUM"), ("B", "STANDARD")));
        var created = await PostAsync(admin, "/api/events", new
        {
            organizerId, venueId = venue.Text("id"), seatMapId = seatMap.Text("id"), name = "Harbour Sessions", category = "concert",
            startsAt, endsAt = startsAt.AddHours(3), currency = "EUR",
            ticketTypes = new object[]
            {
                new { name = "Premium", kind = "reserved", priceZone = "PREMIUM", priceMinor = 8_900 },
                new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 4_900 },
            }.Concat(generalAdmission.Select(g => (object)new { name = g.Name, kind = "general_admission", priceMinor = g.PriceMinor, capacity = g.Capacity })).ToArray(),
        });
        var eventId = created.GetProperty("id").GetGuid();
        await OnSaleEvents.PublishAndOpenSalesAsync(Client, admin, eventId);
        await Eventually.TrueAsync(async () =>
        {
            using var availability = await Client.GetAsync($"/api/inventory/events/{eventId}/availability");
            return availability.StatusCode == HttpStatusCode.OK && await Database.ScalarAsync<int>("select count(*) from orders.ticket_prices where event_id = $1", eventId) == 2 + generalAdmission.Length;
        }, "inventory and orders know the published event");
        return (admin, organizerId, eventId);
    }

    /// <summary>Polls the order until its payment can be confirmed (the purchase created the intent), and answers the intent and its client secret.</summary>
    public async Task<(string IntentId, string ClientSecret)> PaymentOfAsync(Person fan, Guid orderId)
    {
        JsonElement payment = default;
        await Eventually.TrueAsync(async () =>
        {
            var order = await OrderAsync(fan, orderId);
            payment = order.GetProperty("payment");
            return payment.ValueKind == JsonValueKind.Object && payment.GetProperty("clientSecret").ValueKind == JsonValueKind.String;
        }, "the order shows how to pay");
        return (payment.Text("paymentIntentId"), payment.Text("clientSecret"));
    }

    /// <summary>What Stripe.js does with a card: confirms the intent with its client secret.</summary>
    public async Task<JsonElement> PayAsync(Person fan, Guid orderId, string card)
    {
        var (intentId, secret) = await PaymentOfAsync(fan, orderId);
        return await PostAsync(fan, $"/api/payments/simulated/payment-intents/{intentId}/confirm", new { clientSecret = secret, cardNumber = card }, HttpStatusCode.OK);
    }

    /// <summary>The fan's browser confirming the order's intent with a card: the simulated gateway's answer, as it came.</summary>
    public async Task<HttpResponseMessage> ConfirmAsync(Person fan, Guid orderId, string card)
    {
        var (intentId, secret) = await PaymentOfAsync(fan, orderId);
        return await Client.SendAsync(fan, HttpMethod.Post, $"/api/payments/simulated/payment-intents/{intentId}/confirm", new { clientSecret = secret, cardNumber = card });
    }

    public async Task<JsonElement> OrderReachesAsync(Person fan, Guid orderId, string status)
    {
        JsonElement order = default;
        await Eventually.TrueAsync(async () => (order = await OrderAsync(fan, orderId)).Text("status") == status, $"order {orderId} is {status}", TimeSpan.FromSeconds(60));
        return order;
    }
}

/// <summary>Holds of 9 seconds: a checkout has 4 seconds to pay (the hold's expiry minus the 5-second payment margin).</summary>
public sealed class ShortHoldJourneyFixture : JourneyFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Inventory:HoldDuration"] = "00:00:09",
        ["TicketToken:Orders:PaymentMargin"] = "00:00:05",
    };
}

/// <summary>
/// The same modules in the real host executable (<c>TicketToken.Host.dll</c>, copied next to the tests) as a child
/// process the test can SIGKILL and start again on the same database.
/// </summary>
public sealed class CrashJourneyFixture : JourneyFixture
{
    protected override string ChildProcessServices => "identity,catalog,inventory,orders,payments,tickets";
}
