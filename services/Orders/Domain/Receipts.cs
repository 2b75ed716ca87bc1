using System.Globalization;
using System.Net;
using System.Text;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>A receipt as a self-contained HTML document: opens in any browser, prints to paper or PDF.</summary>
public static class Receipts
{
    private const string Style = "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto}table{width:100%;border-collapse:collapse}"
        + "td,th{padding:.3rem;border-bottom:1px solid #ddd;text-align:left}td.n,th.n{text-align:right}";

    public static string Html(Order order, SaleEvent saleEvent)
    {
        string Money(long minor) => Format(minor, order.Currency);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Receipt {E(order.Number)}</title>
            <style>{Style}</style>
            </head><body>
            <h1>Receipt</h1>
            <p>Order <strong>{E(order.Number)}</strong>, {order.ConfirmedAt ?? order.CreatedAt:yyyy-MM-dd HH:mm} UTC</p>
            <p>{E(saleEvent.Name)}, {saleEvent.StartsAt:yyyy-MM-dd HH:mm} UTC</p>
            <table><tr><th>#</th><th>Ticket</th><th>Seat</th><th class="n">Price</th><th class="n">Discount</th><th class="n">Fees</th><th class="n">Tax</th><th class="n">Total</th></tr>
            """);
        foreach (var line in order.Lines.OrderBy(l => l.LineNumber))
        {
            var seat = line.SeatId is null ? "General admission" : $"{line.Section} row {line.RowLabel} seat {line.SeatNumber}";
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{line.LineNumber}</td><td>{E(line.TicketTypeName)}{(line.Refunded ? " (refunded)" : "")}</td><td>{E(seat)}</td><td class="n">{Money(line.FaceValue)}</td><td class="n">{Money(line.Discount)}</td><td class="n">{Money(line.Fees)}</td><td class="n">{Money(line.Tax)}</td><td class="n">{Money(line.Total)}</td></tr>
                """);
        }

        html.Append(CultureInfo.InvariantCulture, $"""
            </table>
            <p>Face value {Money(order.FaceValue)}; discount {Money(order.Discount)}; fees {Money(order.Fees)}; tax {Money(order.Tax)}.</p>
            <p><strong>Total paid {Money(order.Total)}</strong>{(order.Refunded > 0 ? $"; refunded {Money(order.Refunded)}" : "")}.</p>
            </body></html>
            """);
        return html.ToString();
    }

    /// <summary>Minor units as an amount with its currency's decimals and thousands separators.</summary>
    public static string Format(long minor, string currency) =>
        $"{Contracts.Money.ToMajor(minor, currency).ToString("N" + Contracts.Money.Decimals(currency), CultureInfo.InvariantCulture)} {currency}";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
