using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>Orders and events as the orders and catalog modules send them, built in code so tickets is tested on its contracts.</summary>
public static class TestOrders
{
    public static readonly Guid FrontType = Guid.NewGuid();
    public static readonly Guid StandingType = Guid.NewGuid();

    /// <summary>
    /// An order of <paramref name="seats"/> reserved seats (in a section of their own, so orders never share a seat) and
    /// <paramref name="standing"/> general-admission places.
    /// </summary>
    public static IssueTickets Order(Guid eventId, Guid ownerId, int seats = 2, int standing = 0, Guid? organizerId = null)
    {
        var orderId = Guid.NewGuid();
        var section = $"S{orderId.ToString("N")[..6]}";
        var lines = Enumerable.Range(1, seats)
            .Select(n => new TicketLine(n, FrontType, "Front", $"{section}-1-{n}", section, "1", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "A", 8_500, "EUR"))
            .Concat(Enumerable.Range(seats + 1, standing).Select(n => new TicketLine(n, StandingType, "Standing", null, null, null, null, null, 3_000, "EUR")))
            .ToList();
        return new IssueTickets(orderId, $"TT-{orderId.ToString("N")[..8].ToUpperInvariant()}", eventId, organizerId ?? Guid.NewGuid(), ownerId, lines);
    }

    /// <summary>An event announced by catalog (no seat map needed here: tickets records only what fans see), on whole seconds as PostgreSQL keeps them.</summary>
    public static EventPublished Event(DateTimeOffset startsAt, DateTimeOffset? endsAt = null, Guid? eventId = null, long version = 1, string name = "Test night") =>
        Published(DateTimeOffset.FromUnixTimeSeconds(startsAt.ToUnixTimeSeconds()), DateTimeOffset.FromUnixTimeSeconds((endsAt ?? startsAt.AddHours(3)).ToUnixTimeSeconds()),
            eventId, version, name);

    private static EventPublished Published(DateTimeOffset startsAt, DateTimeOffset endsAt, Guid? eventId, long version, string name) =>
        new(eventId ?? Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), name, startsAt, endsAt, "Europe/Berlin", "EUR",
            startsAt.AddDays(-30), startsAt, new PurchaseLimits(8, 8), [], [], new ResalePolicy(false, null, 0), version)
        { VenueName = "Main Hall", VenueCity = "Berlin" };
}
