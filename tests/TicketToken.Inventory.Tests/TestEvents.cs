using TicketToken.Contracts.Catalog;

namespace TicketToken.Inventory.Tests;

/// <summary>Events as catalog publishes them, built in code so inventory is tested on its own contract.</summary>
public static class TestEvents
{
    /// <summary>
    /// An event on sale now with <paramref name="sections"/> sections of <paramref name="rows"/> rows of
    /// <paramref name="seatsPerRow"/> seats; rows 0-1 are zone "A", the rest zone "B". Seat ids: "{section}-{row}-{number}".
    /// </summary>
    public static EventPublished Reserved(int sections = 2, int rows = 5, int seatsPerRow = 10, int perOrder = 8, int perAccount = 8,
        IReadOnlyList<PublishedTicketType>? generalAdmission = null, Guid? eventId = null, long version = 1, Func<string, bool>? blocked = null)
    {
        var id = eventId ?? Guid.NewGuid();
        var published = Enumerable.Range(0, sections).Select(s =>
        {
            var code = ((char)('A' + s)).ToString() + "1";
            return new PublishedSection(code, $"Block {code}", [.. Enumerable.Range(0, rows).Select(r =>
            {
                var label = (r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new PublishedRow(label, r, [.. Enumerable.Range(1, seatsPerRow).Select(n =>
                {
                    var seatId = $"{code}-{label}-{n}";
                    return new PublishedSeat(seatId, n.ToString(System.Globalization.CultureInfo.InvariantCulture), r < 2 ? "A" : "B",
                        Accessible: n == 1, Companion: n == 2, Blocked: blocked?.Invoke(seatId) ?? false, X: s * (seatsPerRow + 3) + n, Y: r);
                })]);
            })]);
        }).ToList();

        var types = new List<PublishedTicketType>
        {
            new(Guid.NewGuid(), "Front", PublishedTicketType.Reserved, "A", null, 8_500),
            new(Guid.NewGuid(), "Back", PublishedTicketType.Reserved, "B", null, 4_500),
        };
        types.AddRange(generalAdmission ?? []);
        var now = DateTimeOffset.UtcNow;
        return new EventPublished(id, Guid.NewGuid(), Guid.NewGuid(), "Test night", now.AddDays(30), now.AddDays(30).AddHours(3), "Europe/Berlin", "EUR",
            now.AddMinutes(-5), now.AddDays(29), new PurchaseLimits(perOrder, perAccount), published, types, new ResalePolicy(true, 120, 500), version);
    }

    public static PublishedTicketType GeneralAdmission(int capacity, string name = "Standing") =>
        new(Guid.NewGuid(), name, PublishedTicketType.GeneralAdmission, null, capacity, 3_000);
}
