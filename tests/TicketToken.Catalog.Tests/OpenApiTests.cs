using System.Net;
using System.Text.Json;

namespace TicketToken.Catalog.Tests;

/// <summary>The catalog in the OpenAPI document, with request examples for the bodies clients write by hand.</summary>
public sealed class OpenApiTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    [Theory]
    [InlineData("/api/venues", "application/json", "venue")]
    [InlineData("/api/venues/{venueId}/seatmaps", "application/json", "seatMap")]
    [InlineData("/api/venues/{venueId}/seatmaps/import", "text/csv", "csv")]
    [InlineData("/api/venues/{venueId}/seatmaps/import", "application/json", "records")]
    [InlineData("/api/events", "application/json", "single")]
    [InlineData("/api/events", "application/json", "weekly")]
    [InlineData("/api/events/{eventId}/ticket-types", "application/json", "reserved")]
    [InlineData("/api/events/{eventId}/ticket-types", "application/json", "generalAdmission")]
    public async Task Request_bodies_have_examples(string path, string mediaType, string example)
    {
        var document = await fixture.ExpectAsync(null, HttpMethod.Get, "/openapi/v1.json");

        var media = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty(mediaType);

        media.GetProperty("examples").GetProperty(example).GetProperty("value").ValueKind.Should().NotBe(JsonValueKind.Undefined);
        media.TryGetProperty("schema", out _).Should().BeTrue();
    }

    [Fact]
    public async Task The_examples_are_bodies_the_api_accepts()
    {
        var document = await fixture.ExpectAsync(null, HttpMethod.Get, "/openapi/v1.json");
        string Example(string path, string media, string name) =>
            document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty(media)
                .GetProperty("examples").GetProperty(name).GetProperty("value") is { ValueKind: JsonValueKind.String } text ? text.GetString()! : "";
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var csv = await fixture.ImportCsvAsync(organizer.Admin, venue, Example("/api/venues/{venueId}/seatmaps/import", "text/csv", "csv"), "From the docs");
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps",
            document.GetProperty("paths").GetProperty("/api/venues/{venueId}/seatmaps").GetProperty("post").GetProperty("requestBody").GetProperty("content")
                .GetProperty("application/json").GetProperty("examples").GetProperty("seatMap").GetProperty("value"), HttpStatusCode.Created);

        (await csv.ShouldBeAsync(HttpStatusCode.Created)).GetProperty("seatCount").GetInt32().Should().Be(4);
        seatMap.GetProperty("seatCount").GetInt32().Should().Be(7);
        document.GetProperty("paths").GetProperty("/api/events").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.Text("name")).Should().Contain(["q", "from", "to", "city", "category", "organizerId", "seriesId", "cursor", "limit"]);
    }
}
