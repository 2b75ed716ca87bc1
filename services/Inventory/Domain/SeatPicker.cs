namespace TicketToken.Inventory.Domain;

/// <summary>
/// Best available: N adjacent seats in the best row that has them (rows are ordered from the stage backwards),
/// as central as the run allows, and never leaving a single seat stranded between taken seats when another
/// placement avoids it. A single seat nobody can buy with a friend is a seat that goes unsold.
/// </summary>
public static class SeatPicker
{
    /// <param name="rows">For each row in quality order, whether each seat (in seat order) may be taken.</param>
    /// <param name="quantity">How many adjacent seats.</param>
    /// <returns>The row and the first seat of the run, or null when no row has N adjacent seats.</returns>
    public static (int Row, int Start)? Pick(IReadOnlyList<bool[]> rows, int quantity)
    {
        (int Row, int Start, int Distance)? fallback = null;
        for (var row = 0; row < rows.Count; row++)
        {
            var free = rows[row];
            (int Start, int Distance)? best = null;
            var center2 = free.Length - 1; // twice the row's centre, to stay in integers
            var runStart = -1;
            for (var i = 0; i <= free.Length; i++)
            {
                if (i < free.Length && free[i])
                {
                    if (runStart < 0)
                    {
                        runStart = i;
                    }

                    continue;
                }

                if (runStart >= 0 && i - runStart >= quantity)
                {
                    var runEnd = i - 1;
                    // Flush left, flush right, or anywhere leaving at least two on each side.
                    for (var start = runStart; start + quantity - 1 <= runEnd; start++)
                    {
                        var left = start - runStart;
                        var right = runEnd - (start + quantity - 1);
                        var distance = Math.Abs(2 * start + quantity - 1 - center2);
                        if (left == 1 || right == 1)
                        {
                            // Rows come best first: a fallback from an earlier row is never replaced by a later one.
                            if (fallback is null || (row == fallback.Value.Row && distance < fallback.Value.Distance))
                            {
                                fallback = (row, start, distance);
                            }

                            continue;
                        }

                        if (best is null || distance < best.Value.Distance)
                        {
                            best = (start, distance);
                        }
                    }
                }

                runStart = -1;
            }

            if (best is { } found)
            {
                return (row, found.Start);
            }
        }

        return fallback is { } last ? (last.Row, last.Start) : null;
    }
}
