using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Orders;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Orders.Tests;

/// <summary>
/// Identity, inventory, orders and tickets on a real host and a fresh database, capturing orders' events. Events are
/// published through the real pub/sub exactly as catalog publishes them; German venues pay 19 % tax.
/// </summary>
public class OrdersFixture : ModuleHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Orders:TaxRates:DE"] = "1900",
    };

    protected override string PublisherAppId => OrdersModule.Id;

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new InventoryModule(), new OrdersModule(), new TicketsModule(),
         new EventCaptureModule(OrderPlaced.Topic, OrderConfirmed.Topic, OrderEnded.Topic, OrderRefunded.Topic)];

    /// <summary>
    /// A German event of <paramref name="organizerId"/> on sale now: section A1 (rows 1-2 zone A at 85.00, rows 3-5 zone B at
    /// 45.00, 10 seats a row) and general admission at 30.00 for 50. Waits until inventory and orders both know it.
    /// </summary>
    public async Task<EventPublished> PublishAsync(Guid? organizerId = null, string country = "DE")
    {
        var now = DateTimeOffset.UtcNow;
        var rows = Enumerable.Range(0, 5).Select(r => new PublishedRow($"{r + 1}", r, [.. Enumerable.Range(1, 10)
            .Select(n => new PublishedSeat($"A1-{r + 1}-{n}", $"{n}", r < 2 ? "A" : "B", false, false, false, n, r))])).ToList();
        var published = new EventPublished(Guid.NewGuid(), organizerId ?? Guid.NewGuid(), Guid.NewGuid(), "Orders night", now.AddDays(30), now.AddDays(30).AddHours(3),
            "Europe/Berlin", "EUR", now.AddMinutes(-5), now.AddDays(29), new PurchaseLimits(8, 8), [new PublishedSection("A1", "Block A1", rows)],
            [new(Guid.NewGuid(), "Front", PublishedTicketType.Reserved, "A", null, 8_500), new(Guid.NewGuid(), "Back", PublishedTicketType.Reserved, "B", null, 4_500),
             new(Guid.NewGuid(), "Standing", PublishedTicketType.GeneralAdmission, null, 50, 3_000)],
            new ResalePolicy(false, null, 0), 1) { VenueName = "Halle", VenueCity = "Berlin", VenueCountry = country };
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Client.GetAsync($"/api/inventory/events/{published.EventId}/availability");
            return response.StatusCode == HttpStatusCode.OK && await Database.ScalarAsync<int>("select count(*) from orders.ticket_prices where event_id = $1", published.EventId) == 3;
        }, "inventory and orders know the published event");
        return published;
    }

    public async Task<Guid> HoldAsync(Person fan, Guid eventId, object body)
    {
        using var request = fan.Request(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", body);
        using var response = await Client.SendAsync(request);
        return (await response.ShouldBeAsync(HttpStatusCode.Created)).GetProperty("holdId").GetGuid();
    }

    public async Task<HttpResponseMessage> CheckoutAsync(Person fan, Guid eventId, Guid holdId, string? idempotencyKey, string? promoCode = null)
    {
        using var request = fan.Request(HttpMethod.Post, "/api/orders", new { eventId, holdId, promoCode });
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Client.SendAsync(request);
    }

    public async Task<JsonElement> CheckedOutAsync(Person fan, Guid eventId, Guid holdId, string? promoCode = null)
    {
        using var response = await CheckoutAsync(fan, eventId, holdId, Guid.NewGuid().ToString(), promoCode);
        return await response.ShouldBeAsync(HttpStatusCode.Accepted);
    }

    public async Task<JsonElement> OrderAsync(Person fan, Guid orderId)
    {
        using var response = await Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{orderId}");
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }
}
