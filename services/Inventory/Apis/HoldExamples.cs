using Microsoft.AspNetCore.Builder;
using TicketToken.BuildingBlocks.Http;

namespace TicketToken.Inventory.Apis;

/// <summary>Request examples of <c>CreateHold</c> for the OpenAPI document (Swagger UI offers them in "Try it out").</summary>
internal static class HoldExamples
{
    public static RouteHandlerBuilder WithHoldExamples(this RouteHandlerBuilder builder) => builder.WithJsonRequestExamples(
        new("seats", "Two specific seats (ids as the seat map lists them)", """{ "seats": ["STALLS-A-1", "STALLS-A-2"] }"""),
        new("best", "The best 4 adjacent seats in a price zone", """{ "best": { "quantity": 4, "priceZone": "PREMIUM" } }"""),
        new("bestInSection", "The best 2 adjacent seats in one section", """{ "best": { "quantity": 2, "section": "BALCONY" } }"""),
        new("standing", "Three general-admission places", """{ "generalAdmission": [ { "ticketTypeId": "0197a3c7-0000-7000-8000-000000000003", "quantity": 3 } ] }"""));
}
