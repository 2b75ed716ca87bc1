using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Payments;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Payments;
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

    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
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
        var csv = new StringBuilder("section,row,seat,zone,accessible,companion,blocked,x,y\n");
        foreach (var row in new[] { "A", "B" })
        {
            for (var n = 1; n <= 6; n++)
            {
                csv.Append(CultureInfo($"STALLS,{row},{n},{(row == "A" ? "PREMIUM" : "STANDARD")},,,,,\n"));
            }
        }

        using var import = admin.Request(HttpMethod.Post, $"/api/venues/{venue.Text("id")}/seatmaps/import?name=Concert");
        import.Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var imported = await Client.SendAsync(import);
        var seatMap = await imported.ShouldBeAsync(HttpStatusCode.Created);
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
        await PostAsync(admin, $"/api/events/{eventId}/publish", null, HttpStatusCode.OK);
        await PostAsync(admin, $"/api/events/{eventId}/open-sales", null, HttpStatusCode.OK);
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

    /// <summary>
    /// Waits until everything the modules published so far has been handled: every outbox relayed and no delivery left.
    /// Then "nothing more will happen" is a fact, not a guess.
    /// </summary>
    public async Task DrainAsync()
    {
        var outboxes = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("select table_schema from information_schema.tables where table_name = 'outbox_messages'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                outboxes.Add(reader.GetString(0));
            }
        }

        var pending = string.Join(" + ", outboxes.Select(schema => $"(select count(*) from \"{schema}\".outbox_messages)").Append("(select count(*) from runtime.deliveries)"));
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("select " + pending) == 0, "every outbox is relayed and every delivery handled");
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

    public async Task<JsonElement> PostAsync(Person person, string path, object? body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await Client.SendAsync(person, HttpMethod.Post, path, body);
        return await response.ShouldBeAsync(expected);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}

/// <summary>Holds of 9 seconds: a checkout has 4 seconds to pay (the hold's expiry minus the 5-second payment margin).</summary>
public sealed class ShortHoldJourneyFixture : JourneyFixture
{
    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
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
    private ChildHost? _child;

    public override HttpClient Client => _child?.Client ?? throw new InvalidOperationException("The host is not running.");

    public override async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await StartAsync();
    }

    /// <summary>Starts the host; <paramref name="overrides"/> are settings for this run only (a fault injection point).</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = ChildHost.EnvironmentOf(TestHost.Defaults, Settings, overrides ?? new Dictionary<string, string?>());
        environment["TICKETTOKEN__SERVICES"] = "identity,catalog,inventory,orders,payments,tickets";
        environment["TICKETTOKEN__POSTGRES"] = Database.ConnectionString;
        _child = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), environment);
        Personas = new Personas(Client);
    }

    /// <summary>SIGKILL: no shutdown, no flush, as a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        await _child!.KillAsync();
        await _child.DisposeAsync();
        _child = null;
    }

    public override async Task DisposeAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
