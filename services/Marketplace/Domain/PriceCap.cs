using TicketToken.Marketplace.Data;

namespace TicketToken.Marketplace.Domain;

/// <summary>
/// The highest price a ticket may be resold at: what its first buyer paid for it (its face value plus its share of the
/// order's fees and tax, less its share of a discount), lowered by the event's cap percentage and by the venue's
/// jurisdiction's. Neither can raise it above what was paid (Face Value Exchange's rule).
/// </summary>
public static class PriceCap
{
    /// <summary>
    /// What the ticket cost: its face value's share of the order's total, rounded down; the face value alone while the
    /// order's amounts are not known here (never more than the fan paid).
    /// </summary>
    public static long Paid(long faceValue, OrderAmount? order) =>
        order is { FaceValue: > 0, Total: > 0 } ? (long)((Int128)order.Total * faceValue / order.FaceValue) : faceValue;

    public static long Of(long paid, ResaleEvent @event, IReadOnlyDictionary<string, int> jurisdictions)
    {
        var percent = Math.Min(100, @event.CapPercent ?? 100);
        if (@event.Country is { } country && jurisdictions.TryGetValue(country, out var rule))
        {
            percent = Math.Min(percent, rule);
        }

        return (long)((Int128)paid * Math.Max(0, percent) / 100);
    }
}

/// <summary>How a resale's price is split (in minor units, adding up to the price): the royalty and the platform's fee round down, the seller gets the rest.</summary>
public sealed record ResaleSplit(long SellerShare, long PlatformFee, long Royalty)
{
    public static ResaleSplit Of(long price, int royaltyBasisPoints, int platformFeeBasisPoints)
    {
        var royalty = (long)((Int128)price * royaltyBasisPoints / 10_000);
        var platform = (long)((Int128)price * platformFeeBasisPoints / 10_000);
        return new ResaleSplit(price - royalty - platform, platform, royalty);
    }
}
