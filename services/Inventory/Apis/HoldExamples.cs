using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace TicketToken.Inventory.Apis;

/// <summary>Request examples of <c>CreateHold</c> for the OpenAPI document (Swagger UI offers them in "Try it out").</summary>
internal static class HoldExamples
{
    private static readonly (string Name, string Summary, string Json)[] Examples =
    [
        ("seats", "Two specific seats (ids as the seat map lists them)", """{ "seats": ["STALLS-A-1", "STALLS-A-2"] }"""),
        ("best", "The best 4 adjacent seats in a price zone", """{ "best": { "quantity": 4, "priceZone": "PREMIUM" } }"""),
        ("bestInSection", "The best 2 adjacent seats in one section", """{ "best": { "quantity": 2, "section": "BALCONY" } }"""),
        ("standing", "Three general-admission places", """{ "generalAdmission": [ { "ticketTypeId": "0197a3c7-0000-7000-8000-000000000003", "quantity": 3 } ] }"""),
    ];

    public static RouteHandlerBuilder WithHoldExamples(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType json)
            {
                json.Examples ??= new Dictionary<string, IOpenApiExample>();
                foreach (var (name, summary, value) in Examples)
                {
                    json.Examples[name] = new OpenApiExample { Summary = summary, Value = JsonNode.Parse(value) };
                }
            }

            return Task.CompletedTask;
        });
}
