using TicketToken.Inventory.Domain;

namespace TicketToken.Inventory.Tests;

public sealed class SeatPickerTests
{
    private static bool[] Row(string pattern) => [.. pattern.Select(c => c == '.')];

    [Fact]
    public void The_best_row_wins_when_it_has_the_seats()
    {
        SeatPicker.Pick([Row("......"), Row("......")], 2).Should().Be((0, 2), "row 0, centred");
    }

    [Fact]
    public void A_placement_that_strands_one_seat_loses_to_one_that_does_not_even_in_a_worse_row()
    {
        // Row 0: a run of exactly 3 + 1 for a pair would strand one; row 1 is empty.
        SeatPicker.Pick([Row("xxx...xxx"), Row(".........")], 2).Should().Be((1, 3));
    }

    [Fact]
    public void Central_seats_win_over_a_snug_gap_at_the_side_when_neither_strands_a_seat()
    {
        SeatPicker.Pick([Row("x..x....")], 2).Should().Be((0, 4));
    }

    [Fact]
    public void When_every_placement_strands_a_seat_the_best_row_is_still_used()
    {
        SeatPicker.Pick([Row("x...x"), Row("x...x")], 2).Should().Be((0, 1));
    }

    [Fact]
    public void No_run_long_enough_means_no_seats()
    {
        SeatPicker.Pick([Row(".x.x."), Row("..x..")], 3).Should().BeNull();
    }
}
