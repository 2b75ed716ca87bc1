using System.Collections;
using System.Globalization;
using System.Text;

namespace TicketToken.Payments.Stripe;

/// <summary>
/// Stripe's <c>application/x-www-form-urlencoded</c> bodies with nested parameters: objects become bracketed keys
/// (<c>metadata[order_id]=42</c>, <c>capabilities[transfers][requested]=true</c>), lists become indexed keys
/// (<c>expand[0]=latest_charge</c>, <c>items[0][price]=...</c>).
/// </summary>
/// <remarks>
/// Values may be strings, booleans (sent lowercase), integers, <see cref="DateTimeOffset"/> (unix seconds), dictionaries
/// with string keys and lists of any of these. A null value is left out; an empty string, list or dictionary is sent as
/// <c>key=</c>, which Stripe reads as "unset".
/// </remarks>
public static class StripeForm
{
    public static string Encode(IEnumerable<KeyValuePair<string, object?>> parameters) =>
        string.Join('&', Flatten(parameters).Select(p => EscapeKey(p.Key) + "=" + Escape(p.Value)));

    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in parameters)
        {
            Add(pairs, key, value);
        }

        return pairs;
    }

    private static void Add(List<KeyValuePair<string, string>> pairs, string key, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                pairs.Add(new(key, text));
                return;
            case bool flag:
                pairs.Add(new(key, flag ? "true" : "false"));
                return;
            case DateTimeOffset time:
                pairs.Add(new(key, time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
                return;
            case IDictionary dictionary:
                AddAll(pairs, key, dictionary.Count, dictionary.Keys.Cast<object>().Select(k => ((string)k, dictionary[k])));
                return;
            case IEnumerable<KeyValuePair<string, string>> entries:
                var list = entries.ToList();
                AddAll(pairs, key, list.Count, list.Select(e => (e.Key, (object?)e.Value)));
                return;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                AddAll(pairs, key, items.Count, items.Select((item, index) => (index.ToString(CultureInfo.InvariantCulture), item)));
                return;
            // Amounts are integers in minor units: a fractional number here is a bug upstream, not something to round.
            case long or int or short or byte:
                pairs.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)!));
                return;
            default:
                throw new ArgumentException($"Stripe parameter '{key}' has a value of type {value.GetType().Name}, which has no form encoding.", nameof(value));
        }
    }

    private static void AddAll(List<KeyValuePair<string, string>> pairs, string key, int count, IEnumerable<(string Name, object? Value)> entries)
    {
        if (count == 0)
        {
            pairs.Add(new(key, ""));
            return;
        }

        foreach (var (name, value) in entries)
        {
            Add(pairs, $"{key}[{name}]", value);
        }
    }

    private static string Escape(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    // Brackets stay literal for readable bodies and logs; Stripe accepts them escaped or not.
    private static string EscapeKey(string key) => new StringBuilder(Escape(key))
        .Replace("%5B", "[").Replace("%5D", "]").ToString();
}
