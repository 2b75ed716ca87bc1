using System.Reflection;
using System.Text.Json.Serialization;

namespace TicketToken.Orders.Domain;

/// <summary>
/// The text an enum member is stored as: its <see cref="JsonStringEnumMemberNameAttribute"/>, so that a column, a JSON
/// document and a message all spell a value one way, the way it was spelled when these values were strings.
/// EF Core's own enum-to-string converter writes the C# member name (<c>PendingPayment</c>), and a PostgreSQL enum
/// type would need a migration of the rows already written, hence this small map.
/// </summary>
public static class StoredNames<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Names = Enum.GetValues<TEnum>().ToDictionary(
        value => value,
        value => typeof(TEnum).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)!
            .GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? value.ToString());

    private static readonly Dictionary<string, TEnum> Values = Names.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    public static string Of(TEnum value) => Names[value];

    public static TEnum Parse(string name) =>
        Values.TryGetValue(name, out var value) ? value : throw new FormatException($"'{name}' is no {typeof(TEnum).Name}.");

    public static bool TryParse(string? name, out TEnum value) => Values.TryGetValue(name ?? "", out value);
}

public static class StoredNameExtensions
{
    /// <summary>The value as it is stored and shown (<c>pending_payment</c>): for messages, and for other modules' events that carry it as text.</summary>
    public static string StoredName<TEnum>(this TEnum value) where TEnum : struct, Enum => StoredNames<TEnum>.Of(value);
}
