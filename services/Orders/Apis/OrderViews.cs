using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.Orders.Data;
using TicketToken.Orders.Domain;

namespace TicketToken.Orders.Apis;

public sealed record AmountsResponse(long FaceValue, long Discount, long Fees, long Tax, long Total, long Refunded);

/// <summary><see cref="EventId"/>: the line's event (a pass's order spans several, docs/adr/0023).</summary>
public sealed record OrderLineResponse(int LineNumber, Guid TicketTypeId, string TicketType, string? SeatId, string? Section, string? Row, string? Seat,
    string? PriceZone, long FaceValue, long Discount, long Fees, long Tax, long Total, bool Refunded, Guid EventId);

/// <summary>How to pay, while the order waits for it: confirm <see cref="ClientSecret"/> with the gateway (Stripe.js, or the simulated gateway's confirm route).</summary>
public sealed record PaymentResponse(string? Gateway, string? PaymentIntentId, string? ClientSecret);

/// <summary>
/// How paying went so far: the confirmations the gateway reported, and why the last declined one was declined (a
/// declined card leaves the order payable until <c>payBy</c>: the fan tries another).
/// </summary>
public sealed record PaymentAttemptsResponse(int Count, string? LastDeclineCode, string? LastDeclineMessage);

public sealed record OrderResponse(Guid Id, string Number, Guid EventId, string EventName, DateTimeOffset EventStartsAt, OrderStatus Status, string Currency,
    AmountsResponse Amounts, IReadOnlyList<OrderLineResponse> Lines, PaymentResponse? Payment, PaymentAttemptsResponse PaymentAttempts, string? FailureCode,
    string? FailureMessage, DateTimeOffset PayBy, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, string Kind, bool WillCall, string? PaymentMethod, Guid? PassId, string? PassName);

public sealed record OrderSummary(Guid Id, string Number, Guid EventId, string EventName, OrderStatus Status, string Currency, long Total, int Tickets, DateTimeOffset CreatedAt);

internal static class OrderViews
{
    public static OrderResponse Response(Order order, SaleEvent saleEvent, PaymentResponse? payment) =>
        new(order.Id, order.Number, order.EventId, saleEvent.Name, saleEvent.StartsAt, order.Status, order.Currency,
            new AmountsResponse(order.FaceValue, order.Discount, order.Fees, order.Tax, order.Total, order.Refunded),
            [.. order.Lines.OrderBy(l => l.LineNumber).Select(l => new OrderLineResponse(l.LineNumber, l.TicketTypeId, l.TicketTypeName, l.SeatId, l.Section, l.RowLabel,
                l.SeatNumber, l.PriceZone, l.FaceValue, l.Discount, l.Fees, l.Tax, l.Total, l.Refunded, l.EventId ?? order.EventId))],
            payment, new PaymentAttemptsResponse(order.PaymentAttempts, order.LastDeclineCode, order.LastDeclineMessage), order.FailureCode, order.FailureMessage,
            order.PayBy, order.CreatedAt, order.ConfirmedAt, order.Kind, order.WillCall, order.PaymentMethod, order.PassId, order.PassName);

    /// <summary>One page of <paramref name="orders"/>, newest first, after <paramref name="cursor"/>: a fan's history and an organizer's sales alike.</summary>
    public static async Task<Page<OrderSummary>> PageAsync(OrdersDbContext db, IQueryable<Order> orders, string? cursor, int? requestedLimit, CancellationToken cancellationToken)
    {
        var limit = PageCursor.Limit(requestedLimit);
        if (PageCursor.Decode(cursor) is { } after)
        {
            orders = orders.Where(o => o.CreatedAt < after.At || (o.CreatedAt == after.At && o.Id.CompareTo(after.Id) < 0));
        }

        var rows = await orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(limit + 1)
            .Join(db.Events, o => o.EventId, e => e.Id, (o, e) => new { Order = o, EventName = e.Name, Tickets = db.OrderLines.Count(l => l.OrderId == o.Id) })
            .ToListAsync(cancellationToken);
        return PageCursor.Build(rows, limit, r => (r.Order.CreatedAt, r.Order.Id),
            r => new OrderSummary(r.Order.Id, r.Order.Number, r.Order.EventId, r.EventName, r.Order.Status, r.Order.Currency, r.Order.Total, r.Tickets, r.Order.CreatedAt));
    }
}
