namespace TicketToken.Contracts;

/// <summary>
/// Amounts are <c>long</c> minor units everywhere; this is the one place that knows how many decimals a currency's
/// minor unit has, by Stripe's rules (they are what our amounts mean at the gateway): zero for Stripe's zero-decimal
/// currencies, three for its three-decimal ones, two otherwise (also for ISK, HUF and TWD, which Stripe takes in
/// hundredths).
/// </summary>
public static class Money
{
    private static readonly HashSet<string> ZeroDecimal =
        ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static readonly HashSet<string> ThreeDecimal = ["BHD", "JOD", "KWD", "OMR", "TND"];

    public static int Decimals(string? currency)
    {
        var code = currency?.ToUpperInvariant() ?? "";
        return ZeroDecimal.Contains(code) ? 0 : ThreeDecimal.Contains(code) ? 3 : 2;
    }

    /// <summary>Minor units in the major unit, exactly: 4900 EUR is 49.00, 4900 JPY is 4900, 4900 KWD is 4.900.</summary>
    public static decimal ToMajor(long minor, string? currency) => Decimals(currency) switch
    {
        0 => minor,
        3 => minor / 1000m,
        _ => minor / 100m,
    };

    /// <summary>The major-unit amount with its currency's decimals, invariant digits and '.' (callers localise the separators).</summary>
    public static string Major(long minor, string? currency) =>
        ToMajor(minor, currency).ToString("F" + Decimals(currency), System.Globalization.CultureInfo.InvariantCulture);
}
