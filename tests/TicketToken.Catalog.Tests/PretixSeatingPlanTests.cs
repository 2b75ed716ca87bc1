using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketToken.Catalog.Tests;

/// <summary>pretix's seating-plan JSON in and out: what comes in as a plan goes out as the same plan; bad plans are refused with paths.</summary>
public sealed class PretixSeatingPlanTests(CatalogFixture fixture) : IClassFixture<CatalogFixture>
{
    private const string Plan = """
        {
          "name": "Stadthalle",
          "categories": [ { "name": "Price level 1", "color": "#D81B60" }, { "name": "Balcony", "color": "#039be5" }, { "name": "Unused" } ],
          "zones": [
            {
              "name": "Stage", "zone_id": "stage", "uuid": "0c7d0a6e-7cd5-4d3c-9a5e-2a1c1d1e1f10", "position": { "x": 0, "y": 0 }, "rows": [],
              "areas": [
                { "shape": "rectangle", "position": { "x": 100, "y": 10 }, "rectangle": { "width": 400, "height": 60 }, "color": "#333333", "border_color": "#000000",
                  "rotation": 0, "text": { "text": "STAGE", "color": "#ffffff", "size": 20, "position": { "x": 200, "y": 30 } } },
                { "shape": "polygon", "position": { "x": 0, "y": 0 }, "polygon": { "points": [ { "x": 0, "y": 0 }, { "x": 30, "y": 0 }, { "x": 15, "y": 20.5 } ] } },
                { "shape": "ellipse", "position": { "x": 550, "y": 40 }, "ellipse": { "radius": { "x": 20, "y": 10 } } },
                { "shape": "circle", "position": { "x": 580, "y": 40 }, "circle": { "radius": 12 } }
              ]
            },
            {
              "name": "Parkett", "zone_id": "PARKETT", "position": { "x": 100, "y": 100 },
              "rows": [
                { "row_number": "1", "row_label": "Reihe 1", "seat_label": null, "row_number_position": "both", "position": { "x": 0, "y": 0 }, "seats": [
                  { "seat_guid": "p-1-1", "seat_number": "1", "uuid": "u1", "radius": 10, "start_direction": null, "position": { "x": 0, "y": 0 }, "category": "Price level 1" },
                  { "seat_guid": "p-1-2", "seat_number": "2", "position": { "x": 25, "y": 0 }, "category": "Price level 1" } ] },
                { "row_number": "2", "position": { "x": 0, "y": 30 }, "seats": [
                  { "seat_guid": "p-2-1", "seat_number": "1", "position": { "x": 0, "y": 0 }, "category": "Price level 1" },
                  { "seat_guid": "p-2-2", "seat_number": "2", "position": { "x": 25.5, "y": 0 }, "category": "Balcony" } ] }
              ]
            },
            {
              "name": "Rang", "position": { "x": 100, "y": 200 },
              "rows": [ { "row_number": "A", "seats": [ { "seat_guid": "r-a-1", "seat_number": "1", "position": { "x": 10, "y": 5 }, "category": "Balcony" } ] } ]
            }
          ],
          "size": { "width": 700, "height": 300 }
        }
        """;

    [Fact]
    public async Task A_pretix_plan_comes_back_out_as_the_same_plan_and_its_seats_become_sections_rows_and_price_zones()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var imported = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/pretix", Plan, "application/json");
        var summary = await imported.ShouldBeAsync(HttpStatusCode.Created);
        var seatMap = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{summary.Id()}");
        var exported = await ExportAsync(organizer, venue, summary.Id());

        summary.Text("name").Should().Be("Stadthalle");
        summary.GetProperty("seatCount").GetInt32().Should().Be(5);
        seatMap.GetProperty("priceZones").EnumerateArray().Select(z => (z.Text("code"), z.Text("name"), z.Text("colour")))
            .Should().Equal(("Price_level_1", "Price level 1", "#d81b60"), ("Balcony", "Balcony", "#039be5"), ("Unused", "Unused", "#2ca02c"));
        var sections = seatMap.GetProperty("sections").EnumerateArray().ToList();
        sections.Select(s => (s.Text("code"), s.Text("name"))).Should().Equal(("PARKETT", "Parkett"), ("Rang", "Rang"));
        var parkett = sections[0].GetProperty("rows").EnumerateArray().SelectMany(r => r.GetProperty("seats").EnumerateArray()).ToList();
        parkett.Select(s => (s.Text("id"), s.Text("zone"), s.GetProperty("x").GetDouble(), s.GetProperty("y").GetDouble())).Should().Equal(
            ("PARKETT-1-1", "Price_level_1", 100d, 100d), ("PARKETT-1-2", "Price_level_1", 125d, 100d),
            ("PARKETT-2-1", "Price_level_1", 100d, 130d), ("PARKETT-2-2", "Balcony", 125.5d, 130d));

        var sent = JsonNode.Parse(Plan)!.AsObject();
        exported["name"]!.GetValue<string>().Should().Be("Stadthalle");
        JsonNode.DeepEquals(exported["size"], sent["size"]).Should().BeTrue();
        exported["categories"]!.AsArray().Select(c => (Text(c, "name"), Text(c, "color")))
            .Should().Equal(("Price level 1", "#d81b60"), ("Balcony", "#039be5"), ("Unused", "#2ca02c"));
        var zones = exported["zones"]!.AsArray();
        zones.Select(z => Text(z, "name")).Should().Equal("Stage", "Parkett", "Rang");
        for (var i = 0; i < zones.Count; i++)
        {
            JsonNode.DeepEquals(zones[i]!["position"], sent["zones"]![i]!["position"]).Should().BeTrue("zone {0} keeps its position", i);
            JsonNode.DeepEquals(zones[i]!["areas"], sent["zones"]![i]!["areas"] ?? new JsonArray()).Should().BeTrue("zone {0} keeps its shapes", i);
            AbsoluteSeats(zones[i]!).Should().Equal(AbsoluteSeats(sent["zones"]![i]!), "zone {0} keeps its rows, seats, categories and positions", i);
        }

        using var again = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/pretix", exported.ToJsonString(), "application/json");
        var reimported = await again.ShouldBeAsync(HttpStatusCode.Created);
        JsonNode.DeepEquals(await ExportAsync(organizer, venue, reimported.Id()), exported).Should().BeTrue("an export imports to the same plan");
    }

    [Fact]
    public async Task A_seat_map_made_here_exports_as_a_pretix_plan_with_seat_ids_and_categories()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var seatMapId = await fixture.SeatMapAsync(organizer, venue, "section,row,seat,zone\nSTALLS,A,1,PREMIUM\nSTALLS,A,2,STANDARD\nSTALLS,B,1,STANDARD\n", "Hall");

        var exported = await ExportAsync(organizer, venue, seatMapId);

        exported["categories"]!.AsArray().Select(c => Text(c, "name")).Should().Equal("PREMIUM", "STANDARD");
        var zone = exported["zones"]!.AsArray().Single()!;
        Text(zone, "zone_id").Should().Be("STALLS");
        zone["rows"]!.AsArray().Select(r => Text(r, "row_number")).Should().Equal("A", "B");
        zone["rows"]![0]!["seats"]!.AsArray().Select(s => (Text(s, "seat_guid"), Text(s, "seat_number"), Text(s, "category")))
            .Should().Equal(("STALLS-A-1", "1", "PREMIUM"), ("STALLS-A-2", "2", "STANDARD"));
        var positions = AbsoluteSeats(zone).Select(s => (s.X, s.Y)).ToList();
        (positions[1].X - positions[0].X).Should().Be(25, "seats of a map made here are spread to pretix's seat size");
        exported["size"]!["width"]!.GetValue<long>().Should().BeGreaterThan((long)positions.Max(p => p.X));
    }

    [Fact]
    public async Task A_bad_plan_is_refused_with_422_and_the_path_of_every_bad_element_and_nothing_is_stored()
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);
        var plan = JsonNode.Parse(Plan)!.AsObject();
        plan.Remove("size");
        plan["zones"]![1]!["colour"] = "red";
        plan["zones"]![1]!["rows"]![1]!["seats"]![0]!["category"] = "Stehplatz";
        plan["zones"]![1]!["rows"]![1]!["seats"]![1]!.AsObject().Remove("seat_number");
        plan["zones"]![1]!["rows"]![0]!["seats"]![1]!["position"]!["x"] = "far left";
        plan["zones"]![1]!["rows"]![0]!["seats"]![1]!["seat_number"] = "1";
        plan["zones"]![0]!["areas"]![0]!["shape"] = "hexagon";
        plan["zones"]![2]!["rows"]![0]!["row_number"] = "A-1";
        plan["categories"]![1]!["color"] = "rgb(1,2,3)";

        using var response = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/pretix", plan.ToJsonString(), "application/json");
        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "invalid_pretix_plan");
        var paths = problem.Body.GetProperty("errors").EnumerateArray().Select(e => e.Text("path")).ToList();

        paths.Should().BeEquivalentTo(
            "$.size",
            "$.zones[1].colour",
            "$.zones[1].rows[1].seats[0].category",
            "$.zones[1].rows[1].seats[1].seat_number",
            "$.zones[1].rows[0].seats[1].position.x",
            "$.zones[1].rows[0].seats[1].seat_number",
            "$.zones[0].areas[0].shape",
            "$.zones[2].rows[0].row_number",
            "$.categories[1].color");
        problem.Body.GetProperty("errors").EnumerateArray().Should().OnlyContain(e => e.Text("message")!.Length > 0);
        (await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps")).Items().Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"name\": \"x\", ", HttpStatusCode.BadRequest, "invalid_json")]
    [InlineData("[]", HttpStatusCode.UnprocessableEntity, "invalid_pretix_plan")]
    [InlineData("{\"name\": \"x\", \"categories\": [], \"zones\": [], \"size\": {\"width\": 1, \"height\": 1}}", HttpStatusCode.UnprocessableEntity, "invalid_pretix_plan")]
    [InlineData("{\"name\": 7, \"categories\": {}, \"zones\": [1], \"size\": {\"width\": 1.5, \"height\": -1}}", HttpStatusCode.UnprocessableEntity, "invalid_pretix_plan")]
    public async Task Malformed_plans_are_problems_not_errors(string body, HttpStatusCode status, string code)
    {
        var organizer = await fixture.OrganizerAsync();
        var venue = await fixture.VenueAsync(organizer);

        using var response = await fixture.Client.SendRawAsync(organizer.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/pretix", body, "application/json");

        await response.ShouldBeProblemAsync(status, code);
    }

    [Fact]
    public async Task Another_organizers_admin_can_neither_import_into_nor_export_from_a_venue()
    {
        var owner = await fixture.OrganizerAsync("Owner");
        var intruder = await fixture.OrganizerAsync("Intruder");
        var venue = await fixture.VenueAsync(owner);
        var seatMapId = await fixture.SeatMapAsync(owner, venue, "section,row,seat,zone\nS,A,1,P\n");

        using var import = await fixture.Client.SendRawAsync(intruder.Admin, HttpMethod.Post, $"/api/venues/{venue}/seatmaps/pretix", Plan, "application/json");
        await fixture.ExpectProblemAsync(intruder.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{seatMapId}/pretix", HttpStatusCode.NotFound, "venue_not_found");

        await import.ShouldBeProblemAsync(HttpStatusCode.NotFound, "venue_not_found");
        (await fixture.ExpectAsync(owner.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps")).Items().Should().ContainSingle();
    }

    private async Task<JsonObject> ExportAsync(Organizer organizer, Guid venue, Guid seatMapId)
    {
        var exported = await fixture.ExpectAsync(organizer.Admin, HttpMethod.Get, $"/api/venues/{venue}/seatmaps/{seatMapId}/pretix");
        return JsonNode.Parse(exported.GetRawText())!.AsObject();
    }

    private static string? Text(JsonNode? node, string property) => node?[property]?.GetValue<string>();

    /// <summary>Each seat of a pretix zone with its row, category and position on the plan (zone + row + seat).</summary>
    private static List<(string Row, string Seat, string Category, double X, double Y)> AbsoluteSeats(JsonNode zone)
    {
        var (zoneX, zoneY) = At(zone);
        return [.. (zone["rows"]?.AsArray() ?? []).SelectMany(row =>
        {
            var (rowX, rowY) = At(row!);
            return row!["seats"]!.AsArray().Select(seat =>
            {
                var (x, y) = At(seat!);
                return (Text(row, "row_number")!, Text(seat, "seat_number")!, Text(seat, "category")!, zoneX + rowX + x, zoneY + rowY + y);
            });
        })];
    }

    private static (double X, double Y) At(JsonNode node) => node["position"] is { } position
        ? (double.Parse(position["x"]!.ToJsonString(), CultureInfo.InvariantCulture), double.Parse(position["y"]!.ToJsonString(), CultureInfo.InvariantCulture))
        : (0, 0);
}
