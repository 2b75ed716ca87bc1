using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Tests;

/// <summary>The guest list's reading and checks, without a host: every error by line, and every guest or none.</summary>
public sealed class GuestListTests
{
    private static readonly TicketPrice[] Types =
    [
        new() { TicketTypeId = Guid.NewGuid(), Name = "Floor", Kind = "general_admission", PriceMinor = 2_500 },
        new() { TicketTypeId = Guid.NewGuid(), Name = "Premium", Kind = "reserved", PriceZone = "PREMIUM", PriceMinor = 8_900 },
        new() { TicketTypeId = Guid.NewGuid(), Name = "Standard", Kind = "reserved", PriceZone = "STANDARD", PriceMinor = 4_900 },
    ];

    [Fact]
    public void Csv_errors_name_their_line_and_field()
    {
        var errors = new List<GuestListError>();
        var entries = GuestList.ParseCsv("name,email,reason,ticket_type\nAda,ada@example.com,press,Floor\n,x@example.com,press,Floor\nBen,not-an-address,staff,Floor\nCleo,,bribe,Balcony\n", errors);
        var guests = GuestList.Check(entries, Types, errors);

        errors.Select(e => (e.Line, e.Field)).Should().BeEquivalentTo([(3, "name"), (4, "email"), (5, "reason"), (5, "ticket_type")]);
        guests.Should().ContainSingle(g => g.Name == "Ada");
    }

    [Fact]
    public void Columns_come_in_any_order_and_quoted_fields_keep_their_commas()
    {
        var errors = new List<GuestListError>();
        var guests = GuestList.Check(GuestList.ParseCsv("seat,ticket_type,name,reason\nSTALLS-A-1,premium,\"Cleo, the drummer\",ARTIST\n,Floor,Dan,staff\n", errors), Types, errors);

        errors.Should().BeEmpty();
        guests.Should().HaveCount(2);
        guests[0].Should().Match<Guest>(g => g.Name == "Cleo, the drummer" && g.Reason == "artist" && g.Seat == "STALLS-A-1" && g.Type.Name == "Premium");
        guests[1].Seat.Should().BeNull();
    }

    [Fact]
    public void A_missing_column_a_seat_named_twice_a_seat_on_general_admission_and_two_best_available_zones_are_refused()
    {
        var missing = new List<GuestListError>();
        GuestList.ParseCsv("name,ticket_type\nAda,Floor\n", missing);
        var errors = new List<GuestListError>();
        GuestList.Check(GuestList.ParseCsv(
            "name,reason,ticket_type,seat\nA,staff,Premium,STALLS-A-1\nB,staff,Premium,STALLS-A-1\nC,staff,Floor,STALLS-A-2\nD,staff,Premium,\nE,staff,Standard,\n", errors), Types, errors);

        missing.Should().ContainSingle().Which.Line.Should().Be(1);
        errors.Select(e => (e.Line, e.Field)).Should().BeEquivalentTo([(3, "seat"), (4, "seat"), (6, "seat")]);
    }

    [Fact]
    public void Control_characters_in_a_field_are_an_error_of_that_line()
    {
        var errors = new List<GuestListError>();
        var guests = GuestList.Check(GuestList.ParseJson("""{ "guests": [ { "name": "Ada\u0000", "reason": "press", "ticketType": "Floor" } ] }""", errors), Types, errors);

        guests.Should().BeEmpty();
        errors.Should().ContainSingle().Which.Should().Match<GuestListError>(e => e.Line == 1 && e.Field == "name");
    }
}
