using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>
/// What a checkout of held seats and places costs, before anything is written: its lines (numbered from 1 in the order
/// <see cref="HoldLines.Of"/> gives them) and, per line and for the order, the discount, fees, tax and total.
/// </summary>
public sealed record Quote(IReadOnlyList<OrderLine> Lines, PricedOrder Priced)
{
    public static Quote Of(IReadOnlyList<OrderLine> lines, Fees fees, Discount? discount, int taxBasisPoints) =>
        new(lines, Pricing.Price([.. lines.Select(l => l.FaceValue)], fees, discount, taxBasisPoints));

    /// <summary>Gives the order its amounts and its lines, each with its share of them.</summary>
    public void ApplyTo(Order order)
    {
        (order.FaceValue, order.Discount, order.Fees, order.Tax, order.Total) = (Priced.FaceValue, Priced.Discount, Priced.Fees, Priced.Tax, Priced.Total);
        for (var i = 0; i < Lines.Count; i++)
        {
            var (line, price) = (Lines[i], Priced.Lines[i]);
            line.OrderId = order.Id;
            line.LineNumber = i + 1;
            (line.Discount, line.Fees, line.Tax) = (price.Discount, price.Fees, price.Tax);
            order.Lines.Add(line);
        }
    }
}

/// <summary>The lines a hold becomes, at the prices of the moment it was made.</summary>
public static class HoldLines
{
    /// <summary>
    /// The prices a hold pays: today's, except for a type whose price changed after the hold was made, which keeps the
    /// price it had then (<paramref name="replacedSince"/>: the prices replaced since that moment, oldest first).
    /// </summary>
    public static IReadOnlyList<TicketPrice> PricesAt(IReadOnlyList<TicketPrice> current, IReadOnlyList<ReplacedTicketPrice> replacedSince) =>
        [.. current.Select(p => replacedSince.FirstOrDefault(r => r.TicketTypeId == p.TicketTypeId) is { } then
            ? new TicketPrice { EventId = p.EventId, TicketTypeId = p.TicketTypeId, Name = p.Name, Kind = p.Kind, PriceZone = p.PriceZone, PriceMinor = then.PriceMinor }
            : p)];

    /// <summary>
    /// One line per held seat (priced by its zone's reserved ticket type; by seat id) and per general-admission place.
    /// A seat or place with no price here is of a type orders has not heard of (yet): the event is not on sale here.
    /// </summary>
    public static List<OrderLine> Of(HoldView hold, IReadOnlyList<TicketPrice> prices)
    {
        var lines = new List<OrderLine>();
        foreach (var seat in hold.Seats.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var type = prices.FirstOrDefault(p => p.Kind == PublishedTicketType.Reserved && p.PriceZone == seat.PriceZone) ?? throw OrdersProblems.EventNotOnSale();
            lines.Add(new OrderLine
            {
                TicketTypeId = type.TicketTypeId, TicketTypeName = type.Name, SeatId = seat.Id, Section = seat.Section, RowLabel = seat.Row, SeatNumber = seat.Number,
                PriceZone = seat.PriceZone, FaceValue = type.PriceMinor,
            });
        }

        foreach (var places in hold.GeneralAdmission)
        {
            var type = prices.FirstOrDefault(p => p.TicketTypeId == places.TicketTypeId) ?? throw OrdersProblems.EventNotOnSale();
            lines.AddRange(Enumerable.Range(0, places.Quantity).Select(_ => new OrderLine
            {
                TicketTypeId = type.TicketTypeId, TicketTypeName = type.Name, FaceValue = type.PriceMinor,
            }));
        }

        return lines;
    }
}

/// <summary>The terms an online sale is priced on: the organizer's own fee schedule, else the platform's; tax by the event's country.</summary>
public static class SaleTerms
{
    public static Fees FeesOf(FeeSchedule? schedule, OrdersOptions options) => schedule is not null
        ? new Fees(schedule.ServiceBasisPoints, schedule.PerTicketMinor, schedule.ProcessingBasisPoints, schedule.ProcessingFixedMinor)
        : new Fees(options.ServiceBasisPoints, options.PerTicketMinor, options.ProcessingBasisPoints, options.ProcessingFixedMinor);

    public static int TaxRateOf(SaleEvent saleEvent, OrdersOptions options) =>
        saleEvent.Country is { } country ? options.TaxRates.GetValueOrDefault(country) : 0;

    public static Discount? DiscountOf(PromoCode? promo) => promo is null ? null : new Discount(promo.PercentBasisPoints, promo.AmountOffMinor);
}
