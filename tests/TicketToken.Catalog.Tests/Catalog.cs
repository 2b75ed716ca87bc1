using System.Net;
using System.Text;
using System.Text.Json;
using TicketToken.Testing.Identity;

namespace TicketToken.Catalog.Tests;

/// <summary>An organizer and the admin who acts for it.</summary>
public sealed record Organizer(Person Admin, Guid Id);

/// <summary>Makes organizers, venues, seat maps and events through the real APIs, the way an organizer's admin does.</summary>
public static class Catalog
{
    public static async Task<Organizer> OrganizerAsync(this CatalogFixture fixture, string name = "Acme Live")
    {
        var (admin, id) = await fixture.Personas.OrganizerAdminAsync(name);
        return new Organizer(admin, id);
    }

    public static async Task<Guid> VenueAsync(this CatalogFixture fixture, Organizer organizer, string city = "Berlin", string timeZone = "Europe/Berlin",
        int capacity = 50_000, string name = "Main Hall")
    {
        using var response = await fixture.Client.SendAsync(organizer.Admin, HttpMethod.Post, "/api/venues", VenueBody(organizer.Id, city, timeZone, capacity, name));
        return (await response.ShouldBeAsync(HttpStatusCode.Created)).Id();
    }

    public static object VenueBody(Guid organizerId, string city = "Berlin", string timeZone = "Europe/Berlin", int capacity = 50_000, string name = "Main Hall") => new
    {
        organizerId,
        name,
        address = new { line1 = "Parkallee 1", city, postalCode = "10785", country = "DE" },
        timeZone,
        capacity,
    };

    /// <summary>Imports <paramref name="csv"/> as a seat map of the venue and returns its id.</summary>
    public static async Task<Guid> SeatMapAsync(this CatalogFixture fixture, Organizer organizer, Guid venueId, string csv, string name = "Layout")
    {
        using var response = await fixture.ImportCsvAsync(organizer.Admin, venueId, csv, name);
        return (await response.ShouldBeAsync(HttpStatusCode.Created)).Id();
    }

    public static Task<HttpResponseMessage> ImportCsvAsync(this CatalogFixture fixture, Person person, Guid venueId, string csv, string name = "Layout") =>
        fixture.Client.SendRawAsync(person, HttpMethod.Post, $"/api/venues/{venueId}/seatmaps/import?name={Uri.EscapeDataString(name)}", csv, "text/csv");

    /// <summary>
    /// A CSV seat map: <paramref name="sections"/> sections S1…, each with <paramref name="rows"/> rows R1… of
    /// <paramref name="seatsPerRow"/> seats, in zone <paramref name="zone"/>(section, row, seat) (default STD).
    /// </summary>
    public static string Csv(int sections, int rows, int seatsPerRow, Func<int, int, int, string>? zone = null)
    {
        var csv = new StringBuilder("section,row,seat,zone,accessible,companion,blocked,x,y\n");
        for (var s = 1; s <= sections; s++)
        {
            for (var r = 1; r <= rows; r++)
            {
                for (var n = 1; n <= seatsPerRow; n++)
                {
                    csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"S{s},R{r},{n},{zone?.Invoke(s, r, n) ?? "STD"},,,,,\n");
                }
            }
        }

        return csv.ToString();
    }

    /// <summary>A draft event's body: 30 days ahead, three hours long, in EUR.</summary>
    public static Dictionary<string, object?> EventBody(Guid organizerId, Guid venueId, Guid? seatMapId = null, string name = "Evening Concert")
    {
        var startsAt = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(30).AddHours(19), TimeSpan.Zero);
        return new Dictionary<string, object?>
        {
            ["organizerId"] = organizerId,
            ["venueId"] = venueId,
            ["seatMapId"] = seatMapId,
            ["name"] = name,
            ["description"] = "An evening of music.",
            ["category"] = "concert",
            ["startsAt"] = startsAt,
            ["endsAt"] = startsAt.AddHours(3),
            ["currency"] = "EUR",
        };
    }

    public static async Task<JsonElement> EventAsync(this CatalogFixture fixture, Organizer organizer, Guid venueId, Guid? seatMapId = null,
        Action<Dictionary<string, object?>>? change = null)
    {
        var body = EventBody(organizer.Id, venueId, seatMapId);
        change?.Invoke(body);
        using var response = await fixture.Client.SendAsync(organizer.Admin, HttpMethod.Post, "/api/events", body);
        return await response.ShouldBeAsync(HttpStatusCode.Created);
    }

    /// <summary>Sets one property of a request body, for chaining.</summary>
    public static Dictionary<string, object?> With(this Dictionary<string, object?> body, string key, object? value)
    {
        body[key] = value;
        return body;
    }

    /// <summary>A published general-admission event (no seat map).</summary>
    public static async Task<JsonElement> PublishedEventAsync(this CatalogFixture fixture, Organizer organizer, Guid venueId, Action<Dictionary<string, object?>>? change = null)
    {
        var created = await fixture.EventAsync(organizer, venueId, change: body =>
        {
            body["ticketTypes"] = new[] { new { name = "Standing", kind = "general_admission", capacity = 100, priceMinor = 2500 } };
            change?.Invoke(body);
        });
        return await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{created.Id()}/publish");
    }

    /// <summary>Sends the request and asserts a 2xx status (200 unless given).</summary>
    public static async Task<JsonElement> ExpectAsync(this CatalogFixture fixture, Person? person, HttpMethod method, string path, object? body = null,
        HttpStatusCode status = HttpStatusCode.OK)
    {
        using var response = await fixture.Client.SendAsync(person, method, path, body);
        return await response.ShouldBeAsync(status);
    }

    /// <summary>Sends the request and asserts a problem with this status and code.</summary>
    public static async Task<Problem> ExpectProblemAsync(this CatalogFixture fixture, Person? person, HttpMethod method, string path, HttpStatusCode status, string code,
        object? body = null)
    {
        using var response = await fixture.Client.SendAsync(person, method, path, body);
        return await response.ShouldBeProblemAsync(status, code);
    }
}
