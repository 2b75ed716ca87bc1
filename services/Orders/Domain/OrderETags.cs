using System.Collections.Concurrent;

namespace TicketToken.Orders.Domain;

/// <summary>
/// The ETag this process last answered for an order, while nothing has changed it since: with the embedded runtime (one
/// writer, ADR 0005) a waiting <c>GET /api/orders/{id}</c> that brings that tag back starts waiting without reading
/// the order. During a sell-out each fan asks again and again while the purchase moves on; without this every such
/// request read the order and its event (bench/README.md, Sell-out).
/// <para>
/// A tag is remembered only if no change committed during the read that produced it: the read is announced first
/// (<see cref="Reading"/>), a change (<see cref="OrderSignals.Changed"/>, after its commit) drops whatever is known of
/// the order, and the tag is kept only if the announcement is still there (<see cref="Read"/>). A change to an event's
/// name or start (part of every order's answer) drops everything.
/// </para>
/// </summary>
internal static class OrderETags
{
    /// <summary>Orders remembered at most; past this all is dropped (a forgotten tag costs one read).</summary>
    internal const int Capacity = 100_000;

    private static readonly ConcurrentDictionary<Guid, Known> Tags = new();

    /// <summary>Whether <paramref name="etag"/> is the current answer of <paramref name="buyer"/>'s order.</summary>
    public static bool IsCurrent(Guid orderId, Guid buyer, string etag) =>
        Tags.TryGetValue(orderId, out var known) && known.ETag == etag && known.Buyer == buyer;

    /// <summary>Announces a read of the order; pass what it returns to <see cref="Read"/>.</summary>
    public static Known Reading(Guid orderId, Guid buyer)
    {
        if (Tags.Count >= Capacity)
        {
            Tags.Clear();
        }

        var reading = new Known(buyer, null);
        Tags[orderId] = reading;
        return reading;
    }

    /// <summary>Remembers the tag the read produced, unless the order changed since <paramref name="reading"/>.</summary>
    public static void Read(Guid orderId, Known reading, string etag) => Tags.TryUpdate(orderId, new Known(reading.Buyer, etag), reading);

    public static void Changed(Guid orderId) => Tags.TryRemove(orderId, out _);

    /// <summary>An event's name or start changed: every remembered answer may show the old one.</summary>
    public static void EventChanged() => Tags.Clear();

    /// <summary>
    /// What is known of one order: whose it is, and the tag of its current answer (null while being read). A class, not a
    /// record: <see cref="Read"/> must find its own announcement, not an equal one of a later read.
    /// </summary>
    internal sealed class Known(Guid buyer, string? etag)
    {
        public Guid Buyer { get; } = buyer;

        public string? ETag { get; } = etag;
    }
}
