namespace TicketToken.Orders.Domain;

/// <summary>What the platform charges: a share of the (discounted) face value, a fixed amount per ticket, and the processor's cost passed through.</summary>
public sealed record Fees(int ServiceBasisPoints, long PerTicketMinor, int ProcessingBasisPoints, long ProcessingFixedMinor);

/// <summary>A promo code's effect: a share off the face value, or a fixed amount off the order (never below zero).</summary>
public sealed record Discount(int? PercentBasisPoints, long? AmountOffMinor);

/// <summary>One line's share of every amount; a line is one seat or one general-admission place.</summary>
public sealed record PricedLine(long FaceValue, long Discount, long Fees, long Tax)
{
    public long Total => FaceValue - Discount + Fees + Tax;
}

public sealed record PricedOrder(IReadOnlyList<PricedLine> Lines, long FaceValue, long Discount, long Fees, long Tax, long Total);

/// <summary>
/// Prices an order in integer minor units. The discount comes off the face value; the service fee is a share of what
/// remains plus a fixed amount per ticket; tax is the jurisdiction's rate on the discounted face value and the service
/// fee; the processing fee grosses the total up so that, after the processor takes its rate and fixed fee, what is
/// left is exactly the rest. Every order-level amount is split over the lines by largest remainder, so the lines add
/// up to the order to the minor unit and a partial refund returns exactly the lines' shares.
/// Rounding: shares round half up; the processing gross-up rounds up (the platform never pays the processor's fee).
/// </summary>
public static class Pricing
{
    public static PricedOrder Price(IReadOnlyList<long> faceValues, Fees fees, Discount? discount, int taxBasisPoints)
    {
        if (faceValues.Count == 0)
        {
            throw new ArgumentException("An order has at least one line.", nameof(faceValues));
        }

        var face = faceValues.Sum();
        var discountTotal = discount switch
        {
            { PercentBasisPoints: { } percent } => Share(face, percent),
            { AmountOffMinor: { } amount } => Math.Min(amount, face),
            _ => 0,
        };
        var discounted = face - discountTotal;
        // A free ticket (a comp, a zero-priced type) carries no per-ticket fee: the fan would pay for nothing.
        var service = Share(discounted, fees.ServiceBasisPoints) + (fees.PerTicketMinor * faceValues.Count(f => f > 0));
        var tax = Share(discounted + service, taxBasisPoints);
        var subtotal = discounted + service + tax;
        // Nothing to charge, nothing to process: a zero total completes without a payment intent.
        var processing = subtotal == 0 ? 0 : GrossUp(subtotal, fees.ProcessingBasisPoints, fees.ProcessingFixedMinor) - subtotal;
        var feesTotal = service + processing;

        var discounts = Allocate(discountTotal, faceValues);
        var lineFees = Allocate(feesTotal, faceValues.Count == 1 || face == 0 ? Enumerable.Repeat(1L, faceValues.Count).ToList() : faceValues);
        var taxes = Allocate(tax, faceValues.Select((f, i) => f - discounts[i] + lineFees[i]).ToList());
        var lines = faceValues.Select((f, i) => new PricedLine(f, discounts[i], lineFees[i], taxes[i])).ToList();
        return new PricedOrder(lines, face, discountTotal, feesTotal, tax, discounted + feesTotal + tax);
    }

    /// <summary><paramref name="amount"/> x <paramref name="basisPoints"/> / 10,000, rounded half up.</summary>
    public static long Share(long amount, int basisPoints) => ((amount * basisPoints) + 5_000) / 10_000;

    /// <summary>The smallest total whose remainder after the processor's rate and fixed fee covers <paramref name="net"/>.</summary>
    private static long GrossUp(long net, int basisPoints, long fixedFee)
    {
        var total = (long)Math.Ceiling((net + fixedFee) * 10_000m / (10_000 - basisPoints));
        while (total - Share(total, basisPoints) - fixedFee < net)
        {
            total++;
        }

        return total;
    }

    /// <summary>Splits <paramref name="amount"/> in proportion to <paramref name="weights"/>; the parts add up exactly (largest remainder).</summary>
    public static long[] Allocate(long amount, IReadOnlyList<long> weights)
    {
        var parts = new long[weights.Count];
        var total = weights.Sum();
        if (amount == 0)
        {
            return parts;
        }

        if (total <= 0)
        {
            weights = [.. Enumerable.Repeat(1L, weights.Count)];
            total = weights.Count;
        }

        var remainders = new (long Remainder, int Index)[weights.Count];
        long given = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            parts[i] = Math.DivRem(amount * weights[i], total, out var remainder);
            remainders[i] = (remainder, i);
            given += parts[i];
        }

        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take((int)(amount - given)))
        {
            parts[index]++;
        }

        return parts;
    }
}
