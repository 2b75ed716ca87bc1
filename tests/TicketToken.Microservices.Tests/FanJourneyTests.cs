using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TicketToken.Contracts.Tickets;
using TicketToken.Testing.Identity;
using Xunit.Abstractions;

namespace TicketToken.Microservices.Tests;

/// <summary>
/// The whole fan journey through the front door, every module its own Dapr app: register, organizer, venue, event,
/// publish, hold, checkout, pay (the simulated gateway's Stripe-signed webhook), tickets, the QR read by zbarimg, a
/// gift, a scan at the gate. The orders process is killed with SIGKILL in the middle of the purchase (after checkout,
/// while its saga waits for the payment) and the purchase completes once it is started again.
/// </summary>
public sealed class FanJourneyTests(Cluster cluster, ITestOutputHelper output) : IClassFixture<Cluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private HttpClient Client => cluster.Client;

    [ToolFact("zbarimg", "zbar-tools")]
    public async Task A_fan_buys_gifts_and_enters_across_separate_dapr_apps_and_a_purchase_survives_its_saga_host_being_killed()
    {
        try
        {
            await JourneyAsync();
        }
        catch
        {
            foreach (var appId in cluster.AppIds)
            {
                output.WriteLine($"===== {appId} =====\n{cluster.OutputOf(appId)}");
            }

            throw;
        }
    }

    private async Task JourneyAsync()
    {
        // An organizer sets up a venue and an event that starts within the gates' check-in window.
        var (admin, organizerId) = await cluster.Personas.OrganizerAdminAsync("Harbour Hall Live");
        var venue = await PostAsync(admin, "/api/venues", new
        {
            organizerId, name = "Harbour Hall", timeZone = "Europe/Berlin", capacity = 100,
            address = new { line1 = "Kai 1", city = "Hamburg", postalCode = "20457", country = "DE" },
        });
        var venueId = venue.GetProperty("id").GetGuid();
        var csv = new StringBuilder("section,row,seat,zone,accessible,companion,blocked,x,y\n");
        foreach (var row in new[] { "A", "B" })
        {
            for (var n = 1; n <= 6; n++)
            {
                csv.Append(FormattableString.Invariant($"STALLS,{row},{n},{(row == "A" ? "PREMIUM" : "STANDARD")},,,,,\n"));
            }
        }

        using var import = admin.Request(HttpMethod.Post, $"/api/venues/{venueId}/seatmaps/import?name=Concert");
        import.Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var imported = await Client.SendAsync(import);
        var seatMap = await imported.ShouldBeAsync(HttpStatusCode.Created);
        var startsAt = DateTimeOffset.UtcNow.AddHours(1);
        var created = await PostAsync(admin, "/api/events", new
        {
            organizerId, venueId, seatMapId = seatMap.Text("id"), name = "Harbour Sessions", category = "concert",
            startsAt, endsAt = startsAt.AddHours(3), currency = "EUR",
            ticketTypes = new object[]
            {
                new { name = "Premium", kind = "reserved", priceZone = "PREMIUM", priceMinor = 8_900 },
                new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 4_900 },
            },
        });
        var eventId = created.GetProperty("id").GetGuid();
        await PostAsync(admin, $"/api/events/{eventId}/publish", null, HttpStatusCode.OK);
        await PostAsync(admin, $"/api/events/{eventId}/open-sales", null, HttpStatusCode.OK);
        await Eventually.TrueAsync(async () =>
        {
            using var availability = await Client.GetAsync($"/api/inventory/events/{eventId}/availability");
            return availability.StatusCode == HttpStatusCode.OK
                && await cluster.Database.ScalarAsync<int>("select count(*) from orders.ticket_prices where event_id = $1", eventId) == 2;
        }, "inventory and orders heard event.published through the broker", Patience);

        // A fan registers, holds two seats and checks out.
        var alice = await cluster.Personas.FanAsync();
        var holdId = (await PostAsync(alice, $"/api/inventory/events/{eventId}/holds", new { best = new { quantity = 2, priceZone = "PREMIUM" } }))
            .GetProperty("holdId").GetGuid();
        using var checkout = alice.Request(HttpMethod.Post, "/api/orders", new { eventId, holdId });
        checkout.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var checkedOut = await Client.SendAsync(checkout);
        var orderId = (await checkedOut.ShouldBeAsync(HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        JsonElement payment = default;
        await Eventually.TrueAsync(async () =>
        {
            payment = (await GetOkAsync(alice, $"/api/orders/{orderId}")).GetProperty("payment");
            return payment.ValueKind == JsonValueKind.Object && payment.GetProperty("clientSecret").ValueKind == JsonValueKind.String;
        }, "the purchase saga created the payment intent", Patience);

        // Mid-purchase: the saga's host dies while it waits for the payment, and the fan pays meanwhile.
        await cluster.KillAsync("orders");
        var paid = await PostAsync(alice, $"/api/payments/simulated/payment-intents/{payment.Text("paymentIntentId")}/confirm",
            new { clientSecret = payment.Text("clientSecret"), cardNumber = "4242424242424242" }, HttpStatusCode.OK);
        paid.Text("status").Should().Be("succeeded");
        (await cluster.Database.ScalarAsync<string>("select status from orders.orders where id = $1", orderId)).Should().NotBe("confirmed", "orders is down");
        await cluster.StartAsync("orders");
        await Eventually.TrueAsync(async () => (await GetOkAsync(alice, $"/api/orders/{orderId}")).Text("status") == "confirmed",
            "the restarted orders app resumed the purchase and confirmed it", Patience);

        // Her tickets, and the code a gate reads from the QR image.
        var tickets = (await GetOkAsync(alice, $"/api/tickets?eventId={eventId}")).GetProperty("items").EnumerateArray().ToList();
        tickets.Should().HaveCount(2).And.OnlyContain(t => t.Text("status") == "active");
        var ticketId = tickets[0].GetProperty("id").GetGuid();
        var aliceCode = await QrCodeAsync(alice, ticketId);
        EntryCodes.TryParse(aliceCode, out var parsed).Should().BeTrue(aliceCode);
        parsed.TicketId.Should().Be(ticketId);

        // She gives the ticket to Bob.
        var bob = await cluster.Personas.FanAsync();
        var transfer = await PostAsync(alice, $"/api/tickets/{ticketId}/transfers", new { recipientEmail = bob.Email });
        var accepted = await PostAsync(bob, $"/api/transfers/{transfer.GetProperty("id").GetGuid()}/accept",
            new { acceptanceCode = transfer.Text("acceptanceCode") }, HttpStatusCode.OK);
        accepted.Text("status").Should().Be("accepted");

        // At the gate: Bob's code lets him in (once scanning has heard of the device and the ticket); Alice's old code does not.
        var device = await cluster.Personas.DeviceAsync(admin, organizerId, venueId);
        JsonElement scan = default;
        await Eventually.TrueAsync(async () =>
        {
            scan = await ScanAsync(device, eventId, await QrCodeAsync(bob, ticketId));
            return scan.GetProperty("allowed").GetBoolean();
        }, "Bob's ticket admits him", Patience);
        scan.GetProperty("ticketId").GetGuid().Should().Be(ticketId);
        var old = await ScanAsync(device, eventId, aliceCode);
        old.GetProperty("allowed").GetBoolean().Should().BeFalse("the gift rotated the ticket's secret");
    }

    private async Task<string> QrCodeAsync(Person fan, Guid ticketId)
    {
        using var qr = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/qr?format=png");
        qr.StatusCode.Should().Be(HttpStatusCode.OK);
        return await QrCodes.DecodeAsync(await qr.Content.ReadAsByteArrayAsync());
    }

    private async Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/scans") { Content = JsonContent.Create(new { eventId, code, gate = "North 1" }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", device.AccessToken);
        using var response = await Client.SendAsync(request);
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<JsonElement> GetOkAsync(Person person, string path)
    {
        using var response = await Client.SendAsync(person, HttpMethod.Get, path);
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<JsonElement> PostAsync(Person person, string path, object? body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await Client.SendAsync(person, HttpMethod.Post, path, body);
        return await response.ShouldBeAsync(expected);
    }
}
