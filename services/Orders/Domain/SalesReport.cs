using System.Globalization;
using System.Xml.Linq;
using CsvHelper;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>One day's sales of one ticket type. Money in minor units of the event's currency.</summary>
/// <param name="Sold">Tickets of paid orders confirmed that day (free ticket types included, comps not).</param>
/// <param name="Comps">Comp tickets issued that day.</param>
/// <param name="Refunded">Tickets whose refund completed that day.</param>
/// <param name="GrossMinor">What buyers paid for the tickets sold: face value after discounts, fees and tax.</param>
/// <param name="FeesMinor">The platform's fees on them, less the fees given back by that day's refunds.</param>
/// <param name="RefundedMinor">What that day's refunds gave back (fees included unless the organizer kept them when cancelling).</param>
/// <param name="NetMinor">Gross less refunds and the platform's fees: what remains for the organizer (tax included, which it remits).</param>
public sealed record SalesFigures(int Sold, int Comps, int Refunded, long GrossMinor, long FeesMinor, long RefundedMinor, long NetMinor)
{
    public static readonly SalesFigures None = new(0, 0, 0, 0, 0, 0, 0);

    public SalesFigures Add(SalesFigures other) => new(Sold + other.Sold, Comps + other.Comps, Refunded + other.Refunded, GrossMinor + other.GrossMinor,
        FeesMinor + other.FeesMinor, RefundedMinor + other.RefundedMinor, NetMinor + other.NetMinor);
}

public sealed record SalesDay(DateOnly Date, Guid TicketTypeId, string TicketType, SalesFigures Figures);

public sealed record TicketTypeSales(Guid TicketTypeId, string TicketType, SalesFigures Figures);

public sealed record DailySales(DateOnly Date, SalesFigures Figures);

/// <summary>An event's sales for its organizer: totals, per ticket type, and per day (UTC) and ticket type.</summary>
public sealed record SalesReport(Guid EventId, string EventName, string Currency, SalesFigures Totals, IReadOnlyList<TicketTypeSales> TicketTypes,
    IReadOnlyList<DailySales> Daily, IReadOnlyList<SalesDay> Days)
{
    /// <summary>
    /// Counts a ticket as sold (or comped) on the day its order was confirmed, and as refunded on the day its refund
    /// completed, so a day's row never changes once the day is over. Orders that never confirmed sold nothing.
    /// </summary>
    public static SalesReport Of(SaleEvent saleEvent, IReadOnlyList<Order> orders, IReadOnlyList<Refund> succeededRefunds)
    {
        var rows = new Dictionary<(DateOnly, Guid), SalesFigures>();
        var names = new Dictionary<Guid, string>();
        void Count(DateTimeOffset at, OrderLine line, SalesFigures figures)
        {
            names[line.TicketTypeId] = line.TicketTypeName;
            var key = (DateOnly.FromDateTime(at.UtcDateTime), line.TicketTypeId);
            rows[key] = rows.GetValueOrDefault(key, SalesFigures.None).Add(figures);
        }

        // A pass's order (docs/adr/0023) spans several events: each event counts its own lines, at their share of the pass.
        bool OfEvent(Order order, OrderLine line) => (line.EventId ?? order.EventId) == saleEvent.Id;
        foreach (var order in orders.Where(o => o.ConfirmedAt is not null))
        {
            foreach (var line in order.Lines.Where(l => OfEvent(order, l)))
            {
                Count(order.ConfirmedAt!.Value, line, order.Kind == OrderKinds.Comp
                    ? SalesFigures.None with { Comps = 1 }
                    : new SalesFigures(1, 0, 0, line.Total, line.Fees, 0, line.Total - line.Fees));
            }
        }

        var byId = orders.ToDictionary(o => o.Id);
        foreach (var refund in succeededRefunds)
        {
            var order = byId[refund.OrderId];
            foreach (var line in order.Lines.Where(l => refund.Lines.Contains(l.LineNumber) && OfEvent(order, l)))
            {
                var back = RefundShares.Of([line], refund.KeepFees);
                Count(refund.CompletedAt ?? refund.CreatedAt, line, new SalesFigures(0, 0, 1, 0, -back.Fees, back.Total, back.Fees - back.Total));
            }
        }

        var days = rows.OrderBy(r => r.Key.Item1).ThenBy(r => names[r.Key.Item2], StringComparer.Ordinal)
            .Select(r => new SalesDay(r.Key.Item1, r.Key.Item2, names[r.Key.Item2], r.Value)).ToList();
        var types = days.GroupBy(d => (d.TicketTypeId, d.TicketType)).OrderBy(g => g.Key.TicketType, StringComparer.Ordinal)
            .Select(g => new TicketTypeSales(g.Key.TicketTypeId, g.Key.TicketType, Sum(g.Select(d => d.Figures)))).ToList();
        var daily = days.GroupBy(d => d.Date).Select(g => new DailySales(g.Key, Sum(g.Select(d => d.Figures)))).ToList();
        return new SalesReport(saleEvent.Id, saleEvent.Name, saleEvent.Currency, Sum(types.Select(t => t.Figures)), types, daily, days);
    }

    private static SalesFigures Sum(IEnumerable<SalesFigures> figures) => figures.Aggregate(SalesFigures.None, (a, b) => a.Add(b));

    /// <summary>One row per day and ticket type, the same figures as the JSON's <c>days</c>.</summary>
    public string ToCsv()
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = CsvWriter.Create(text))
        {
            writer.WriteHeader(["date", "ticket_type_id", "ticket_type", "sold", "comps", "refunded", "gross_minor", "fees_minor", "refunded_minor", "net_minor", "currency"]);
            foreach (var d in Days)
            {
                var f = d.Figures;
                writer.WriteRecord([d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.TicketTypeId.ToString(), d.TicketType, I(f.Sold), I(f.Comps), I(f.Refunded),
                    I(f.GrossMinor), I(f.FeesMinor), I(f.RefundedMinor), I(f.NetMinor), Currency]);
            }
        }

        return text.ToString();
    }

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>
    /// The daily sales as a bar chart: per day a bar of tickets sold with the comps stacked on it, refunded tickets
    /// below the axis, and each bar's figures in its tooltip. Drawn by hand: it is a handful of rectangles, and no
    /// charting package is on the platform's list.
    /// </summary>
    public string ToSvg()
    {
        const double left = 48, top = 36, plot = 220, barWidth = 24, gap = 10, below = 60, bottom = 46;
        var up = Math.Max(1, Daily.Count == 0 ? 0 : Daily.Max(d => d.Figures.Sold + d.Figures.Comps));
        var down = Daily.Count == 0 ? 0 : Daily.Max(d => d.Figures.Refunded);
        var scale = plot / Math.Max(up, down);
        var axis = top + plot;
        var width = left + Math.Max(1, Daily.Count) * (barWidth + gap) + 20;
        var height = axis + (down > 0 ? below : 0) + bottom;
        string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
        XElement Text(double x, double y, string text, string anchor = "start") => new(Svg + "text", new XAttribute("x", N(x)), new XAttribute("y", N(y)),
            new XAttribute("font-size", "11"), new XAttribute("font-family", "sans-serif"), new XAttribute("text-anchor", anchor), text);
        XElement Bar(double x, double y, double h, string colour, string kind, string tooltip) => new(Svg + "rect", new XAttribute("x", N(x)), new XAttribute("y", N(y)),
            new XAttribute("width", N(barWidth)), new XAttribute("height", N(h)), new XAttribute("fill", colour), new XAttribute("data-kind", kind), new XElement(Svg + "title", tooltip));

        var chart = new XElement(Svg + "svg", new XAttribute("viewBox", $"0 0 {N(width)} {N(height)}"), new XAttribute("width", N(width)), new XAttribute("height", N(height)),
            new XAttribute("role", "img"),
            new XElement(Svg + "title", $"Daily sales of {EventName}"),
            Text(left, 20, $"{EventName}: tickets per day (UTC)"),
            new XElement(Svg + "line", new XAttribute("x1", N(left)), new XAttribute("y1", N(axis)), new XAttribute("x2", N(width - 10)), new XAttribute("y2", N(axis)),
                new XAttribute("stroke", "#333")),
            Text(left - 6, top + 4, I(Math.Max(up, down)), "end"),
            Text(left - 6, axis + 4, "0", "end"));
        var x = left + gap / 2;
        foreach (var day in Daily)
        {
            var f = day.Figures;
            var date = day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var tooltip = $"{date}: {f.Sold} sold, {f.Comps} comps, {f.Refunded} refunded; gross {I(f.GrossMinor)}, fees {I(f.FeesMinor)}, refunds {I(f.RefundedMinor)}, net {I(f.NetMinor)} (minor units of {Currency})";
            var group = new XElement(Svg + "g", new XAttribute("data-date", date), new XElement(Svg + "title", tooltip));
            var soldHeight = f.Sold * scale;
            group.Add(Bar(x, axis - soldHeight, soldHeight, "#1565c0", "sold", $"{date}: {f.Sold} sold"));
            group.Add(Bar(x, axis - soldHeight - f.Comps * scale, f.Comps * scale, "#8e24aa", "comps", $"{date}: {f.Comps} comps"));
            if (f.Refunded > 0)
            {
                group.Add(Bar(x, axis, f.Refunded * scale * below / plot, "#c62828", "refunded", $"{date}: {f.Refunded} refunded"));
            }

            group.Add(Text(x + barWidth / 2, height - bottom + 16, day.Date.ToString("MM-dd", CultureInfo.InvariantCulture), "middle"));
            chart.Add(group);
            x += barWidth + gap;
        }

        var legendX = left;
        foreach (var (label, colour) in new[] { ("sold", "#1565c0"), ("comps", "#8e24aa"), ("refunded", "#c62828") })
        {
            chart.Add(new XElement(Svg + "rect", new XAttribute("x", N(legendX)), new XAttribute("y", N(height - 16)), new XAttribute("width", "10"), new XAttribute("height", "10"),
                new XAttribute("fill", colour)), Text(legendX + 14, height - 7, label));
            legendX += 80;
        }

        return chart.ToString(SaveOptions.DisableFormatting);
    }
}
