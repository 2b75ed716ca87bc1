namespace TicketToken.Contracts.Catalog;

/// <summary>
/// Where an announced version of an event stands against the one a consumer applied last. Catalog numbers an event's
/// versions without gaps, so a consumer that must apply every change in order takes <see cref="Next"/>, ignores
/// <see cref="Stale"/> (older or repeated) and answers <see cref="Early"/> with a retry until the missing versions
/// have come (pub/sub promises no order; docs/adr/0026).
/// </summary>
public enum VersionOrder
{
    Next,
    Stale,
    Early,
}

public static class EventVersions
{
    /// <summary>
    /// <paramref name="applied"/> null: the consumer knows nothing of the event yet, and its first version is a whole
    /// state to start from (nothing of the event can exist there that an earlier change would have touched).
    /// </summary>
    public static VersionOrder Order(long? applied, long incoming) => applied switch
    {
        null => VersionOrder.Next,
        { } known when incoming <= known => VersionOrder.Stale,
        { } known when incoming == known + 1 => VersionOrder.Next,
        _ => VersionOrder.Early,
    };
}
