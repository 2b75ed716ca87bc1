using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Orders;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Notifications.Tests;

/// <summary>Events and orders as catalog and orders send them, built in code: notifications is tested on its contracts.</summary>
public static class Sales
{
    public static EventPublished Event(string name = "Harbour Sessions", Guid? organizerId = null, DateTimeOffset? startsAt = null, DateTimeOffset? endsAt = null,
        long version = 1)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((startsAt ?? DateTimeOffset.UtcNow.AddDays(30)).ToUnixTimeSeconds());
        var end = DateTimeOffset.FromUnixTimeSeconds((endsAt ?? start.AddHours(3)).ToUnixTimeSeconds());
        return new EventPublished(Guid.NewGuid(), organizerId ?? Guid.NewGuid(), Guid.NewGuid(), name, start, end, "Europe/Berlin", "EUR", start.AddDays(-30), start,
            new PurchaseLimits(8, 8), [], [], new ResalePolicy(false, null, 0), version) { VenueName = "Harbour Hall", VenueCity = "Hamburg" };
    }

    /// <summary>An order of <paramref name="seats"/> reserved seats for <paramref name="buyer"/>.</summary>
    public static IssueTickets Order(EventPublished e, Guid buyer, int seats = 2)
    {
        var orderId = Guid.NewGuid();
        var section = $"S{orderId.ToString("N")[..6]}";
        var lines = Enumerable.Range(1, seats)
            .Select(n => new TicketLine(n, Guid.NewGuid(), "Standard", $"{section}-C-{n}", section, "C", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "STANDARD", 4_900, "EUR"))
            .ToList();
        return new IssueTickets(orderId, $"TT-{orderId.ToString("N")[..8].ToUpperInvariant()}", e.EventId, e.OrganizerId, buyer, lines);
    }

    public static OrderConfirmed Confirmed(IssueTickets order, DateTimeOffset? at = null)
    {
        var face = order.Lines.Sum(l => l.FaceValue);
        return new OrderConfirmed(order.OrderId, order.OrderNumber, order.OwnerId, order.OrganizerId, order.EventId, "EUR",
            new OrderAmounts(face, 0, 1_200, 0, face + 1_200), 300, "pi_sim_" + order.OrderId.ToString("N")[..12], at ?? DateTimeOffset.UtcNow);
    }
}
