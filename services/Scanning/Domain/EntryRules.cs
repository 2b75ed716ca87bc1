namespace TicketToken.Scanning.Domain;

/// <summary>An allowed scan of one ticket: what its check-in state is made of.</summary>
public sealed record Passage(Guid ScanId, Guid DeviceId, string Direction, DateTimeOffset At);

/// <summary>
/// The policy's rules over a ticket's history: duplicate window, re-entry (only after a recorded exit), re-entry limit.
/// The only code that decides whether a valid ticket may pass again; pure, so reconciliation replays it.
/// </summary>
public static class EntryRules
{
    /// <summary>Null when the scan may pass; otherwise the reason (<see cref="ScanReasons"/>). <paramref name="history"/> is in time order.</summary>
    public static string? Check(IReadOnlyList<Passage> history, ScanPolicy policy, string direction, DateTimeOffset at)
    {
        var entries = 0;
        Passage? lastEntry = null;
        var inside = false;
        foreach (var passage in history)
        {
            if (passage.Direction == ScanDirections.Entry)
            {
                entries++;
                lastEntry = passage;
                inside = true;
            }
            else
            {
                inside = false;
            }
        }

        if (direction == ScanDirections.Exit)
        {
            return inside ? null : ScanReasons.NotInside;
        }

        if (lastEntry is null)
        {
            return null;
        }

        if (policy.DuplicateWindowMinutes > 0 && at - lastEntry.At < TimeSpan.FromMinutes(policy.DuplicateWindowMinutes))
        {
            return ScanReasons.Duplicate;
        }

        if (!policy.ReentryAllowed || policy.MaxReentries == 0)
        {
            return ScanReasons.ReentryNotAllowed;
        }

        if (policy.MaxReentries is { } limit && entries - 1 >= limit)
        {
            return ScanReasons.ReentryLimitReached;
        }

        return inside ? ScanReasons.AlreadyInside : null;
    }
}
