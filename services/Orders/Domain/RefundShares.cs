using TicketToken.Contracts.Orders;
using TicketToken.Orders.Data;

namespace TicketToken.Orders.Domain;

/// <summary>
/// What a refund of some lines gives back, split as the sale was, so the ledger reverses exactly that. Keeping the fees
/// (an organizer's cancellation policy) keeps each line's fee and the part of its tax that was charged on the fee: the
/// tax was levied on face value after discount plus fee, so it is split in that proportion (rounded down for the refund).
/// </summary>
public static class RefundShares
{
    public static OrderAmounts Of(IEnumerable<OrderLine> lines, bool keepFees)
    {
        long face = 0, discount = 0, fees = 0, tax = 0;
        foreach (var line in lines)
        {
            face += line.FaceValue;
            discount += line.Discount;
            if (keepFees)
            {
                var taxed = line.FaceValue - line.Discount + line.Fees;
                tax += taxed == 0 ? 0 : line.Tax * (line.FaceValue - line.Discount) / taxed;
            }
            else
            {
                fees += line.Fees;
                tax += line.Tax;
            }
        }

        return new OrderAmounts(face, discount, fees, tax, face - discount + fees + tax);
    }
}
