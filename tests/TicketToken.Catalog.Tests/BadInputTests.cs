using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace TicketToken.Catalog.Tests;

/// <summary>DESIGN.md invariant 7: bad input gets a 4xx problem with a code, never a 500, on every catalog route.</summary>
public sealed class BadInputTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    private static readonly (string Body, string MediaType)[] Junk =
    [
        ("{}", "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
        ("\"text\"", "application/json"),
        ("{\"name\": 12, \"capacity\": \"many\", \"startsAt\": \"soon\", \"sections\": {}}", "application/json"),
        ("{\"organizerId\": \"not-a-guid\", \"priceMinor\": 1e40, \"limits\": [], \"recurrence\": {\"frequency\": \"weekly\", \"until\": \"never\"}}", "application/json"),
        ("{\"name\": \"x\", \"sections\": [{\"code\": \"A\", \"rows\": [{\"label\": \"1\", \"index\": 99999999999, \"seats\": [{\"number\": \"1\", \"zone\": \"P\", \"x\": 1e400}]}]}]}", "application/json"),
        ("{", "application/json"),
        ("section,row\n\"unterminated", "text/csv"),
        ("\u0000\u0001binary", "application/octet-stream"),
    ];

    private static readonly string[] JunkQueries = ["?limit=-1", "?limit=abc", "?cursor=%00", "?from=yesterday", "?organizerId=nope", "?q=" + new string('x', 500), "?name=%20"];

    [Fact]
    public async Task Every_catalog_route_answers_junk_with_a_4xx_problem_and_never_a_500()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 1, 2));
        var @event = (await fixture.EventAsync(organizer, venue, seatMap, body =>
            body["ticketTypes"] = new[] { new { name = "Seats", kind = "reserved", priceZone = "STD", priceMinor = 100 } })).Id();
        var ticketType = (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/events/{@event}/ticket-types"))[0].Id();
        var routes = fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/venues", StringComparison.Ordinal) || e.RoutePattern.RawText.StartsWith("/api/events", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Path: e.RoutePattern.RawText!
                .Replace("{venueId:guid}", venue.ToString(), StringComparison.Ordinal)
                .Replace("{seatMapId:guid}", seatMap.ToString(), StringComparison.Ordinal)
                .Replace("{eventId:guid}", @event.ToString(), StringComparison.Ordinal)
                .Replace("{ticketTypeId:guid}", ticketType.ToString(), StringComparison.Ordinal))))
            .Where(r => r.Method != "DELETE")
            .ToList();
        routes.Should().HaveCountGreaterThan(15);

        var failures = new List<string>();
        foreach (var (method, path) in routes)
        {
            var attempts = method == "GET"
                ? JunkQueries.Select(query => (Path: path + query, Body: (string?)null, MediaType: (string?)null))
                : Junk.Select(junk => (Path: path + "?name=x", Body: (string?)junk.Body, MediaType: (string?)junk.MediaType));
            foreach (var (target, body, mediaType) in attempts)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), target);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", organizer.Admin.AccessToken);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, mediaType!);
                }

                using var response = await fixture.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status >= 500 || (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"))
                {
                    failures.Add($"{method} {target} with {body}: {status} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        failures.Should().BeEmpty();
    }
}
