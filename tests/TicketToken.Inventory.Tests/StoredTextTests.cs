using System.Text.Json;
using System.Text.Json.Serialization;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Actors;

namespace TicketToken.Inventory.Tests;

/// <summary>
/// A hold's status and its parts' kinds became enums after buyers' actor state and REST answers had carried them as
/// text: state written then reads back, and what is written now is the same text.
/// </summary>
public sealed class StoredTextTests
{
    private static JsonSerializerOptions HttpAnswers()
    {
        var http = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        http.Converters.Add(new JsonStringEnumConverter());
        return http;
    }

    [Fact]
    public void A_buyers_hold_stored_with_text_kinds_and_status_reads_back_and_is_written_the_same_way()
    {
        // As the buyer's actor stored a sold hold of a section's seat and two general-admission places before the change.
        const string stored = """
            {"holdId":"0197a3c7-0000-7000-8000-000000000002","eventId":"0197a3c7-0000-7000-8000-000000000001",
            "parts":[{"kind":"section","key":"A1"},{"kind":"general_admission","key":"0197a3c7-0000-7000-8000-000000000009"}],
            "seats":[{"id":"A1-1-1","section":"A1","row":"1","number":"1","priceZone":"PREMIUM"}],
            "generalAdmission":[{"ticketTypeId":"0197a3c7-0000-7000-8000-000000000009","quantity":2}],
            "createdAt":"2026-12-07T20:00:00+00:00","expiresAt":"2026-12-07T20:10:00+00:00","status":"sold",
            "orderId":"0197a3c7-0000-7000-8000-000000000003"}
            """;

        var hold = JsonSerializer.Deserialize<BuyerHold>(stored, RuntimeJson.Options)!;

        hold.Status.Should().Be(HoldStatus.Sold);
        hold.Parts.Select(p => p.Kind).Should().Equal(HoldPartKind.Section, HoldPartKind.GeneralAdmission);
        var written = JsonSerializer.Serialize(hold, RuntimeJson.Options);
        JsonDocument.Parse(written).RootElement.GetProperty("status").GetString().Should().Be("sold");
        JsonDocument.Parse(written).RootElement.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("kind").GetString())
            .Should().Equal("section", "general_admission");
    }

    [Theory]
    [InlineData("active", HoldStatus.Active)]
    [InlineData("sold", HoldStatus.Sold)]
    public void A_hold_answer_says_its_status_as_it_always_did(string text, HoldStatus status)
    {
        var view = new HoldView(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), status, [], [], DateTimeOffset.UtcNow, null);

        foreach (var dialect in new[] { RuntimeJson.Options, HttpAnswers(), JsonSerializerOptions.Web })
        {
            JsonDocument.Parse(JsonSerializer.Serialize(view, dialect)).RootElement.GetProperty("status").GetString().Should().Be(text);
            JsonSerializer.Deserialize<HoldStatus>($"\"{text}\"", dialect).Should().Be(status);
        }
    }

    [Fact]
    public void A_part_names_the_actor_that_keeps_it()
    {
        var type = Guid.CreateVersion7();

        HoldPart.InSection("A1").Should().Be(new HoldPart(HoldPartKind.Section, "A1"));
        HoldPart.OfType(type).Should().Be(new HoldPart(HoldPartKind.GeneralAdmission, type.ToString()));
    }
}
