using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using TicketToken.BuildingBlocks.Http;

namespace TicketToken.Catalog.Apis;

/// <summary>Request examples for the OpenAPI document, attached per operation (Swagger UI offers them in "Try it out").</summary>
internal static class CatalogExamples
{
    public static readonly RequestExample CreatePass = new("season", "A season pass: the same seat at three concerts of a series", """
        {
          "organizerId": "0197a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
          "name": "Autumn Season 2027",
          "description": "Three evenings, one seat.",
          "eventIds": ["0197a3c7-0000-7000-8000-000000000001", "0197a3c7-0000-7000-8000-000000000002", "0197a3c7-0000-7000-8000-000000000003"],
          "ticketType": "Stalls",
          "priceMinor": 19900
        }
        """);

    public static readonly RequestExample CreateVenue = new("venue", "A concert hall", """
        {
          "organizerId": "0197a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
          "name": "Philharmonie am Park",
          "address": { "line1": "Parkallee 1", "line2": null, "city": "Berlin", "postalCode": "10785", "country": "DE" },
          "timeZone": "Europe/Berlin",
          "capacity": 2400
        }
        """);

    public static readonly RequestExample PretixPlan = new("pretixPlan", "A small pretix plan: a stage and one zone of two rows", """
        {
          "name": "Club layout",
          "categories": [ { "name": "Front", "color": "#d4af37" }, { "name": "Back", "color": "#1f77b4" } ],
          "zones": [
            {
              "name": "Floor", "zone_id": "FLOOR", "position": { "x": 0, "y": 0 },
              "areas": [ { "shape": "rectangle", "position": { "x": 40, "y": 10 }, "rectangle": { "width": 200, "height": 30 }, "color": "#333333", "text": { "text": "Stage", "position": { "x": 100, "y": 15 } } } ],
              "rows": [
                { "row_number": "A", "position": { "x": 0, "y": 80 }, "seats": [
                  { "seat_guid": "a1", "seat_number": "1", "position": { "x": 50, "y": 0 }, "category": "Front" },
                  { "seat_guid": "a2", "seat_number": "2", "position": { "x": 80, "y": 0 }, "category": "Front" } ] },
                { "row_number": "B", "position": { "x": 0, "y": 110 }, "seats": [
                  { "seat_guid": "b1", "seat_number": "1", "position": { "x": 50, "y": 0 }, "category": "Back" } ] }
              ]
            }
          ],
          "size": { "width": 300, "height": 160 }
        }
        """);

    public static readonly RequestExample SeatMap = new("seatMap", "Two sections, explicit price zones, coordinates left to the grid", """
        {
          "name": "Concert layout",
          "priceZones": [
            { "code": "PREMIUM", "name": "Premium", "colour": "#d4af37" },
            { "code": "STANDARD", "name": "Standard", "colour": "#1f77b4" }
          ],
          "sections": [
            {
              "code": "STALLS", "name": "Stalls",
              "rows": [
                { "label": "A", "index": 0, "seats": [
                  { "number": "1", "zone": "PREMIUM", "accessible": true },
                  { "number": "2", "zone": "PREMIUM", "companion": true },
                  { "number": "3", "zone": "PREMIUM" } ] },
                { "label": "B", "index": 1, "seats": [
                  { "number": "1", "zone": "STANDARD" },
                  { "number": "2", "zone": "STANDARD", "blocked": true } ] }
              ]
            },
            {
              "code": "BALCONY", "name": "Balcony",
              "rows": [ { "label": "A", "seats": [ { "number": "1", "zone": "STANDARD" }, { "number": "2", "zone": "STANDARD" } ] } ]
            }
          ]
        }
        """);

    public static readonly RequestExample SeatImportCsv = new("csv", "CSV: one line per seat; empty flags are false, empty x/y lay the seats on a grid",
        JsonValue.Create("""
            section,row,seat,zone,accessible,companion,blocked,x,y
            STALLS,A,1,PREMIUM,yes,no,no,,
            STALLS,A,2,PREMIUM,no,yes,no,,
            STALLS,B,1,STANDARD,,,,,
            BALCONY,A,1,STANDARD,,,1,,

            """));

    public static readonly RequestExample SeatImportJson = new("records", "JSON: the CSV's records as seats (a bare array of them is read too); price zones are made from the zone codes", """
        {
          "seats": [
            { "section": "STALLS", "row": "A", "seat": "1", "zone": "PREMIUM", "accessible": true, "x": 0, "y": 0 },
            { "section": "STALLS", "row": "A", "seat": "2", "zone": "PREMIUM", "companion": true, "x": 1, "y": 0 },
            { "section": "STALLS", "row": "B", "seat": "1", "zone": "STANDARD", "x": 0, "y": 1 }
          ]
        }
        """);

    public static readonly RequestExample CreateEvent = new("single", "One reserved-seating concert with two ticket types", """
        {
          "organizerId": "0197a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
          "venueId": "0197a3c5-0000-7000-8000-000000000001",
          "seatMapId": "0197a3c6-0000-7000-8000-000000000002",
          "name": "Mahler 5 — Berlin Phil Youth",
          "description": "Symphony No. 5 in C-sharp minor.",
          "category": "classical",
          "startsAt": "2030-03-14T20:00:00+01:00",
          "endsAt": "2030-03-14T22:30:00+01:00",
          "salesStartAt": "2030-01-10T10:00:00+01:00",
          "salesEndAt": "2030-03-14T19:00:00+01:00",
          "currency": "EUR",
          "limits": { "perOrder": 6, "perAccount": 10 },
          "resale": { "allowed": true, "priceCapPercent": 110, "royaltyBasisPoints": 500 },
          "ticketTypes": [
            { "name": "Premium", "kind": "reserved", "priceZone": "PREMIUM", "priceMinor": 8900, "accessZone": "VIP" },
            { "name": "Standard", "kind": "reserved", "priceZone": "STANDARD", "priceMinor": 4900 }
          ]
        }
        """);

    public static readonly RequestExample CreateRecurringEvent = new("weekly", "A weekly Friday 20:00 show for twelve weeks (stays 20:00 local across DST)", """
        {
          "organizerId": "0197a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b",
          "venueId": "0197a3c5-0000-7000-8000-000000000001",
          "name": "Friday Night Comedy",
          "category": "comedy",
          "startsAt": "2030-03-01T20:00:00+01:00",
          "endsAt": "2030-03-01T22:00:00+01:00",
          "currency": "EUR",
          "recurrence": { "frequency": "weekly", "interval": 1, "count": 12, "byWeekDay": ["FR"] },
          "ticketTypes": [ { "name": "Standing", "kind": "general_admission", "capacity": 300, "priceMinor": 2500 } ]
        }
        """);

    public static readonly RequestExample ReservedTicketType = new("reserved", "Reserved seats of a price zone", """
        { "name": "Premium", "kind": "reserved", "priceZone": "PREMIUM", "priceMinor": 8900, "accessZone": "VIP" }
        """);

    public static readonly RequestExample GeneralAdmissionTicketType = new("generalAdmission", "General admission with a capacity", """
        { "name": "Standing", "kind": "general_admission", "capacity": 500, "priceMinor": 3500, "accessZone": "GA" }
        """);

    public static readonly RequestExample CancelEvent = new("cancel", "Cancel with a reason fans will read", """
        { "reason": "The soloist is ill; every ticket will be refunded.", "feePolicy": "refund" }
        """);

    public static RouteHandlerBuilder WithJsonRequestExample(this RouteHandlerBuilder builder, RequestExample example) =>
        builder.WithJsonRequestExamples(example);

    /// <summary>The import takes CSV or JSON; the CSV body is described here, as ASP.NET Core cannot infer it.</summary>
    public static RouteHandlerBuilder WithSeatImportExamples(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            RequestExamples.Add(operation, "application/json", null, [SeatImportJson]);
            RequestExamples.Add(operation, "text/csv", new OpenApiSchema { Type = JsonSchemaType.String, Description = "Header: section,row,seat,zone,accessible,companion,blocked,x,y" }, [SeatImportCsv]);
            return Task.CompletedTask;
        });
}
