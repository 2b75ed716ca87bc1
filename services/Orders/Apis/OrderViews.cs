using TicketToken.Orders.Data;

namespace TicketToken.Orders.Apis;

public sealed record AmountsResponse(long FaceValue, long Discount, long Fees, long Tax, long Total, long Refunded);

public sealed record OrderLineResponse(int LineNumber, Guid TicketTypeId, string TicketType, string? SeatId, string? Section, string? Row, string? Seat,
    string? PriceZone, long FaceValue, long Discount, long Fees, long Tax, long Total, bool Refunded);

/// <summary>How to pay, while the order waits for it: confirm <see cref="ClientSecret"/> with the gateway (Stripe.js, or the simulated gateway's confirm route).</summary>
public sealed record PaymentResponse(string? Gateway, string? PaymentIntentId, string? ClientSecret);

public sealed record OrderResponse(Guid Id, string Number, Guid EventId, string EventName, DateTimeOffset EventStartsAt, string Status, string Currency,
    AmountsResponse Amounts, IReadOnlyList<OrderLineResponse> Lines, PaymentResponse? Payment, string? FailureCode, string? FailureMessage,
    DateTimeOffset PayBy, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt);

public sealed record OrderSummary(Guid Id, string Number, Guid EventId, string EventName, string Status, string Currency, long Total, int Tickets, DateTimeOffset CreatedAt);

internal static class OrderViews
{
    public static OrderResponse Response(Order order, SaleEvent saleEvent, PaymentResponse? payment) =>
        new(order.Id, order.Number, order.EventId, saleEvent.Name, saleEvent.StartsAt, order.Status, order.Currency,
            new AmountsResponse(order.FaceValue, order.Discount, order.Fees, order.Tax, order.Total, order.Refunded),
            [.. order.Lines.OrderBy(l => l.LineNumber).Select(l => new OrderLineResponse(l.LineNumber, l.TicketTypeId, l.TicketTypeName, l.SeatId, l.Section, l.RowLabel,
                l.SeatNumber, l.PriceZone, l.FaceValue, l.Discount, l.Fees, l.Tax, l.Total, l.Refunded))],
            payment, order.FailureCode, order.FailureMessage, order.PayBy, order.CreatedAt, order.ConfirmedAt);
}
