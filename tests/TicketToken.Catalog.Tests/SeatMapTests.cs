using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace TicketToken.Catalog.Tests;

/// <summary>Seat maps from CSV, from a JSON document and from JSON records; errors by line; bulk size; immutability once announced.</summary>
public sealed class SeatMapTests(CatalogFixture fixture, ITestOutputHelper output) : IClassFixture<CatalogFixture>
{
    [Fact]
    public async Task A_csv_import_creates_sections_rows_and_seats_in_file_order_with_zones_from_the_codes()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        const string csv = """
            Section,Row,Seat,Zone,Accessible,Companion,Blocked,X,Y
            STALLS,A,1,PREMIUM,yes,no,0,,
            STALLS,A,2,PREMIUM,no,YES,false,,
            STALLS,B,1,STANDARD,,,,,
            STALLS,B,2,STANDARD,1,,TRUE,,
            "BALCONY",A,1,STANDARD,,,,,
            """;

        using var response = await fixture.ImportCsvAsync(organizer.Admin, venue, csv.ReplaceLineEndings("\r\n"), "Concert layout");
        var summary = await response.ShouldBeAsync(HttpStatusCode.Created);
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{summary.Id()}");

        summary.GetProperty("seatCount").GetInt32().Should().Be(5);
        summary.Text("name").Should().Be("Concert layout");
        response.Headers.Location!.ToString().Should().Be($"/api/venues/{venue}/seatmaps/{summary.Id()}");
        seatMap.GetProperty("priceZones").EnumerateArray().Select(z => z.Text("code")).Should().Equal("PREMIUM", "STANDARD");
        var sections = seatMap.GetProperty("sections").EnumerateArray().ToList();
        sections.Select(s => s.Text("code")).Should().Equal("STALLS", "BALCONY");
        var stalls = sections[0].GetProperty("rows").EnumerateArray().ToList();
        stalls.Select(r => (r.Text("label"), r.GetProperty("index").GetInt32())).Should().Equal(("A", 0), ("B", 1));
        var seats = stalls.SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        seats.Select(s => s.Text("id")).Should().Equal("STALLS-A-1", "STALLS-A-2", "STALLS-B-1", "STALLS-B-2");
        seats.Select(s => s.GetProperty("accessible").GetBoolean()).Should().Equal(true, false, false, true);
        seats.Select(s => s.GetProperty("companion").GetBoolean()).Should().Equal(false, true, false, false);
        seats.Select(s => s.GetProperty("blocked").GetBoolean()).Should().Equal(false, false, false, true);
        seats.Select(s => (s.GetProperty("x").GetDouble(), s.GetProperty("y").GetDouble())).Should().Equal((0d, 0d), (1d, 0d), (0d, 1d), (1d, 1d));
        var balconySeat = sections[1].GetProperty("rows")[0].GetProperty("seats")[0];
        balconySeat.GetProperty("x").GetDouble().Should().Be(4, "sections are laid side by side on the grid, two apart");
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps")).Items().Select(m => m.Id()).Should().Equal(summary.Id());
    }

    [Fact]
    public async Task A_csv_with_errors_is_refused_whole_and_every_error_names_its_line()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        const string csv = """
            section,row,seat,zone,accessible,companion,blocked,x,y
            A,1,1,P,,,,,
            A,1,2,P,maybe,,,,
            A,1,3,,,,,,

            A,1,1,P,,,,,
            A,2,1,P,,,,1.5,abc
            A-B,1,1,P,,,,,
            A,2,2,P,,,
            """;

        using var response = await fixture.ImportCsvAsync(organizer.Admin, venue, csv);
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");
        var errors = problem.SeatMapErrors();

        errors.Should().Contain(e => e.Line == 3 && e.Column == "accessible" && e.Message == "'maybe' is not a yes/no value; use true/false, 1/0 or yes/no.");
        errors.Should().Contain(e => e.Line == 4 && e.Column == "zone" && e.Message.Contains("required"));
        errors.Should().Contain(e => e.Line == 6 && e.Column == "seat" && e.Message.Contains("A-1-1 appears twice (first on line 2)"));
        errors.Should().Contain(e => e.Line == 7 && e.Column == "y" && e.Message.Contains("'abc' is not a number"));
        errors.Should().Contain(e => e.Line == 8 && e.Column == "section" && e.Message.Contains("'A-B'"));
        errors.Should().Contain(e => e.Line == 9 && e.Column == null && e.Message.Contains("7 field(s)"));
        errors.Should().HaveCount(6);
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps")).Items().Should().BeEmpty("nothing of a refused import is kept");
    }

    [Theory]
    [InlineData("section,row,seat\nA,1,1\n", 1, "zone")]
    [InlineData("section,row,seat,zone,colour\nA,1,1,P,red\n", 1, "colour")]
    [InlineData("\n\nsection,row,seat,zone,zone\nA,1,1,P,P\n", 3, "zone")]
    [InlineData("A,1,1,P\n", 1, "a")]
    public async Task Header_errors_point_at_the_header_line(string csv, int line, string column)
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var response = await fixture.ImportCsvAsync(organizer.Admin, venue, csv);
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");

        problem.SeatMapErrors().Should().Contain(e => e.Line == line && e.Column == column);
    }

    [Fact]
    public async Task A_csv_with_no_seats_or_half_given_coordinates_is_refused()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var empty = await fixture.ImportCsvAsync(organizer.Admin, venue, "section,row,seat,zone\n");
        using var mixed = await fixture.ImportCsvAsync(organizer.Admin, venue, "section,row,seat,zone,x,y\nA,1,1,P,0,0\nA,1,2,P,,\nA,1,3,P,5,\n");

        (await empty.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map")).SeatMapErrors().Should().ContainSingle(e => e.Message.Contains("no seats"));
        (await mixed.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map")).SeatMapErrors().Select(e => (e.Line, e.Column))
            .Should().BeEquivalentTo([(3, "x"), (4, "y")]);
    }

    [Fact]
    public async Task A_json_seat_map_document_keeps_rows_in_index_order_and_explicit_zones()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var document = new
        {
            name = "Theatre",
            priceZones = new[] { new { code = "VIP", name = "Very important", colour = "#aa0000" }, new { code = "STD", name = "Standard", colour = "#00aa00" } },
            sections = new object[]
            {
                new
                {
                    code = "ORCH", name = "Orchestra",
                    rows = new object[]
                    {
                        new { label = "B", index = 1, seats = new object[] { new { number = "1", zone = "STD", x = 10.5, y = 20 } } },
                        new { label = "A", index = 0, seats = new object[] { new { number = "2", zone = "VIP", x = 11, y = 10, accessible = true }, new { number = "1", zone = "VIP", x = 10, y = 10 } } },
                    },
                },
            },
        };

        var created = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", document, HttpStatusCode.Created);
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{created.Id()}");

        seatMap.GetProperty("priceZones").EnumerateArray().Select(z => (z.Text("code"), z.Text("name"), z.Text("colour")))
            .Should().Equal(("VIP", "Very important", "#aa0000"), ("STD", "Standard", "#00aa00"));
        var rows = seatMap.GetProperty("sections")[0].GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.Text("label")).Should().Equal("A", "B");
        rows[0].GetProperty("seats").EnumerateArray().Select(s => s.Text("id")).Should().Equal("ORCH-A-2", "ORCH-A-1");
        rows[1].GetProperty("seats")[0].GetProperty("x").GetDouble().Should().Be(10.5);
        seatMap.Text("name").Should().Be("Theatre");
    }

    [Fact]
    public async Task Errors_in_a_json_document_name_the_line_of_the_value()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        const string json = """
            {
              "name": "Broken",
              "priceZones": [ { "code": "VIP" } ],
              "sections": [
                {
                  "code": "ORCH",
                  "rows": [
                    { "label": "A", "index": 0, "seats": [
                      { "number": "1", "zone": "VIP" },
                      { "number": "2", "zone": "CHEAP" },
                      { "number": "3", "zone": "VIP", "x": "left" },
                      { "number": "1", "zone": "VIP", "colour": "red" }
                    ] },
                    { "label": "B", "index": 0, "seats": [ { "number": "1", "zone": "VIP" } ] }
                  ]
                }
              ]
            }
            """;

        using var response = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", json, "application/json");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");

        problem.SeatMapErrors().Select(e => (e.Line, e.Column)).Should().BeEquivalentTo(new (int?, string?)[]
        {
            (10, "zone"), // unknown price zone CHEAP
            (11, "x"),    // not a number
            (12, "colour"), // unknown property
            (14, "index"), // two rows with index 0
        });
    }

    [Fact]
    public async Task Malformed_json_is_reported_with_its_line()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var response = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", "{\n  \"name\": \"x\",\n  \"sections\": [ }\n", "application/json");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");

        problem.SeatMapErrors().Should().ContainSingle().Which.Line.Should().Be(3);
    }

    [Fact]
    public async Task A_json_import_of_records_is_line_numbered_like_csv()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        const string good = """
            { "priceZones": [ { "code": "P", "name": "Premium", "colour": "#123456" } ],
              "seats": [
                { "section": "A", "row": 1, "seat": 1, "zone": "P", "accessible": true },
                { "section": "A", "row": 1, "seat": 2, "zone": "P" }
              ] }
            """;
        const string bad = """
            [
              { "section": "A", "row": "1", "seat": "1", "zone": "P" },
              { "section": "A", "row": "1", "seat": "1", "zone": "P" },
              { "section": "A", "row": "1", "zone": "P" },
              { "section": "A", "row": "1", "seat": "3", "zone": "P", "blocked": "yes" }
            ]
            """;

        using var imported = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/import?name=Records", good, "application/json");
        using var refused = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/import?name=Records", bad, "application/json");
        using var unsupported = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/import?name=Records", "a;b", "text/plain");

        var summary = await imported.ShouldBeAsync(HttpStatusCode.Created);
        summary.GetProperty("seatCount").GetInt32().Should().Be(2);
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{summary.Id()}");
        seatMap.GetProperty("priceZones")[0].Text("name").Should().Be("Premium");
        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map");
        problem.SeatMapErrors().Select(e => (e.Line, e.Column)).Should().BeEquivalentTo(new (int?, string?)[] { (3, "seat"), (4, "seat"), (5, "blocked") });
        await unsupported.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_20000_seat_csv_imports_in_a_few_seconds()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer, capacity: 25_000);
        // 10 sections × 50 rows × 40 seats, four price zones by distance from the stage.
        var csv = Catalog.Csv(10, 50, 40, (_, row, _) => $"Z{(row - 1) / 13 + 1}");

        var clock = Stopwatch.StartNew();
        using var response = await fixture.ImportCsvAsync(organizer.Admin, venue, csv, "Arena");
        var summary = await response.ShouldBeAsync(HttpStatusCode.Created);
        var imported = clock.Elapsed;
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{summary.Id()}");
        output.WriteLine($"Imported 20,000 seats in {imported.TotalMilliseconds:F0} ms ({csv.Length / 1024} KiB); read back in {(clock.Elapsed - imported).TotalMilliseconds:F0} ms.");

        summary.GetProperty("seatCount").GetInt32().Should().Be(20_000);
        imported.Should().BeLessThan(TimeSpan.FromSeconds(5));
        var seats = seatMap.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("rows").EnumerateArray()).SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        seats.Should().HaveCount(20_000);
        seats.Select(s => s.Text("id")).Should().OnlyHaveUniqueItems();
        seatMap.GetProperty("priceZones").EnumerateArray().Select(z => z.Text("code")).Should().Equal("Z1", "Z2", "Z3", "Z4");
        (await fixture.Database.ScalarAsync<long>("select count(*) from catalog.seats where seat_map_id = $1", summary.Id())).Should().Be(20_000);
    }

    [Fact]
    public async Task A_seat_map_an_announced_event_uses_cannot_be_replaced_or_deleted()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMap = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 2, 2));
        var replacement = new { name = "Replaced", sections = new[] { new { code = "S1", rows = new[] { new { label = "R1", seats = new[] { new { number = "1", zone = "STD" } } } } } } };
        var @event = await fixture.EventAsync(organizer, venue, seatMap, body =>
            body["ticketTypes"] = new[] { new { name = "Seat", kind = "reserved", priceZone = "STD", priceMinor = 5000 } });

        var whileDraft = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Put, $"/api/venues/{venue}/seatmaps/{seatMap}", replacement);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Delete, $"/api/venues/{venue}/seatmaps/{seatMap}", HttpStatusCode.Conflict, "seat_map_in_use");
        await fixture.ExpectAsync(organizer.Admin, HttpMethod.Post, $"/api/events/{@event.Id()}/publish");
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Put, $"/api/venues/{venue}/seatmaps/{seatMap}", HttpStatusCode.Conflict, "seat_map_in_use", replacement);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Delete, $"/api/venues/{venue}/seatmaps/{seatMap}", HttpStatusCode.Conflict, "seat_map_in_use");
        var unused = await fixture.SeatMapAsync(organizer, venue, Catalog.Csv(1, 1, 1));
        using var deleted = await fixture.Client.SendAsync(organizer.Admin, HttpMethod.Delete, $"/api/venues/{venue}/seatmaps/{unused}");

        whileDraft.GetProperty("seatCount").GetInt32().Should().Be(1);
        var read = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{seatMap}");
        read.Text("name").Should().Be("Replaced");
        read.GetProperty("seatCount").GetInt32().Should().Be(1);
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await fixture.ExpectProblemAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{unused}", HttpStatusCode.NotFound, "seat_map_not_found");
    }

    [Fact]
    public async Task Seat_map_routes_answer_bad_input_with_problems()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var noName = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/import", "section,row,seat,zone\nA,1,1,P\n", "text/csv");
        using var wrongType = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", "name,sections", "text/csv");
        using var notAnObject = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps", "[1, 2]", "application/json");

        ((int)noName.StatusCode).Should().Be(400, await noName.Content.ReadAsStringAsync());
        (await Problem.ReadAsync(noName)).Code.Should().BeOneOf("invalid_request", "validation_failed");
        await wrongType.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        (await notAnObject.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_seat_map")).SeatMapErrors().Should().ContainSingle().Which.Line.Should().Be(1);
    }
}
