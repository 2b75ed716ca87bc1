using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FluentAssertions;
using TicketToken.Testing.Identity;

namespace TicketToken.Testing.Catalog;

/// <summary>An event on sale and where it is: its venue, seat map (two rows of 8 in STALLS: A is PREMIUM, B STANDARD) and standing type.</summary>
public sealed record OnSaleEvent(Guid OrganizerId, Guid VenueId, Guid SeatMapId, Guid EventId, Guid StandingTypeId);

/// <summary>
/// Makes an event on sale through catalog's real API, as an organizer does (venue, seat map from CSV, event with reserved
/// and standing types, publish, open sales), and waits until inventory sells it. The host must run catalog and inventory.
/// </summary>
public static class OnSaleEvents
{
    // standingCapacity: places of the standing type; with a small one and perOrder (tickets per order and per account,
    // catalog's default of 10 when null) of 17 or more, one hold can sell the event out.
    public static async Task<OnSaleEvent> CreateAsync(HttpClient client, Person admin, Guid organizerId, string name = "Harbour Sessions", int standingCapacity = 200,
        int? perOrder = null)
    {
        var venueId = await new Personas(client).VenueAsync(admin, organizerId);
        var seatMapId = (await ImportSeatMapAsync(client, admin, venueId, "Concert", SeatRows("STALLS", 8, ("A", "PREMIUM"), ("B", "STANDARD")))).Id();
        var startsAt = DateTimeOffset.UtcNow.AddDays(60);
        var eventId = (await PostAsync(client, admin, "/api/events", new
        {
            organizerId, venueId, seatMapId, name, category = "concert", startsAt, endsAt = startsAt.AddHours(3), currency = "EUR",
            limits = perOrder is { } limit ? new { perOrder = limit, perAccount = limit } : null,
            ticketTypes = new object[]
            {
                new { name = "Premium", kind = "reserved", priceZone = "PREMIUM", priceMinor = 8_900 },
                new { name = "Standard", kind = "reserved", priceZone = "STANDARD", priceMinor = 4_900 },
                new { name = "Standing", kind = "general_admission", capacity = standingCapacity, priceMinor = 2_900 },
            },
        })).GetProperty("id").GetGuid();
        await PublishAndOpenSalesAsync(client, admin, eventId);
        var types = await client.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/ticket-types");
        var standing = types.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "Standing").GetProperty("id").GetGuid();
        await Eventually.AssertAsync(async () =>
        {
            using var availability = await client.GetAsync($"/api/inventory/events/{eventId}/availability");
            availability.StatusCode.Should().Be(HttpStatusCode.OK, "inventory has the event on sale");
        });
        return new OnSaleEvent(organizerId, venueId, seatMapId, eventId, standing);
    }

    /// <summary>A seat-map CSV of one section: <paramref name="seatsPerRow"/> seats in each row, each row of its price zone.</summary>
    public static string SeatRows(string section, int seatsPerRow, params (string Row, string Zone)[] rows)
    {
        var csv = new StringBuilder("section,row,seat,zone,accessible,companion,blocked,x,y\n");
        foreach (var (row, zone) in rows)
        {
            for (var n = 1; n <= seatsPerRow; n++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{section},{row},{n},{zone},,,,,\n");
            }
        }

        return csv.ToString();
    }

    /// <summary>Imports <paramref name="csv"/> as a seat map of the venue, as an organizer uploads one; answers the created seat map.</summary>
    public static async Task<JsonElement> ImportSeatMapAsync(HttpClient client, Person admin, Guid venueId, string name, string csv)
    {
        using var import = admin.Request(HttpMethod.Post, $"/api/venues/{venueId}/seatmaps/import?name={name}");
        import.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var imported = await client.SendAsync(import);
        return await imported.ShouldBeAsync(HttpStatusCode.Created);
    }

    public static async Task PublishAndOpenSalesAsync(HttpClient client, Person admin, Guid eventId)
    {
        await PostAsync(client, admin, $"/api/events/{eventId}/publish", null, HttpStatusCode.OK);
        await PostAsync(client, admin, $"/api/events/{eventId}/open-sales", null, HttpStatusCode.OK);
    }

    private static Task<JsonElement> PostAsync(HttpClient client, Person admin, string path, object? body, HttpStatusCode expected = HttpStatusCode.Created) =>
        client.SendOkAsync(admin, HttpMethod.Post, path, body, expected);
}
