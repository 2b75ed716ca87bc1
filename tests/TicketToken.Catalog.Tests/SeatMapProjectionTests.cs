using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// The one section → row → seat projection the seat map API and the announcement to inventory share: no host, no
/// database, because it is a pure function of the layout.
/// </summary>
public sealed class SeatMapProjectionTests
{
    private static readonly SeatMapLayout Layout = new(
        [new ZoneLayout("A", "Front", "#1f77b4"), new ZoneLayout("B", "Back", "#ff7f0e")],
        [
            new SectionLayout("STALLS", "Stalls",
            [
                new RowLayout("A", 1, [new SeatLayout("1", "A", true, false, false, 0, 0), new SeatLayout("2", "A", false, true, false, 1, 0)]),
                new RowLayout("B", 2, [new SeatLayout("1", "B", false, false, true, 0, 1)]),
            ]),
            new SectionLayout("CIRCLE", "Circle", [new RowLayout("AA", 1, [new SeatLayout("7", "B", false, false, false, 5, 8)])]),
        ]);

    [Fact]
    public void Every_seat_keeps_its_section_row_and_order_and_gets_the_id_inventory_uses()
    {
        var projected = Layout.Project(
            (section, rows) => (section.Code, rows),
            (row, seats) => (row.Label, row.Index, seats),
            (id, seat) => (id, seat.Number, seat.Zone, seat.Blocked));

        projected.Select(s => s.Code).Should().Equal("STALLS", "CIRCLE");
        projected[0].rows.Select(r => (r.Label, r.Index)).Should().Equal(("A", 1), ("B", 2));
        projected.SelectMany(s => s.rows).SelectMany(r => r.seats).Should().Equal(
            ("STALLS-A-1", "1", "A", false),
            ("STALLS-A-2", "2", "A", false),
            ("STALLS-B-1", "1", "B", true),
            ("CIRCLE-AA-7", "7", "B", false));
    }

    [Fact]
    public void A_layout_without_sections_projects_to_nothing()
    {
        new SeatMapLayout([], []).Project((_, rows) => rows, (_, seats) => seats, (id, _) => id).Should().BeEmpty();
    }
}
