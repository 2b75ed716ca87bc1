using System.Buffers.Binary;
using Microsoft.AspNetCore.Http;
using TicketToken.BuildingBlocks.ServiceDefaults;

namespace TicketToken.BuildingBlocks.Http;

/// <summary>One page of a list and the cursor of the next one (null on the last page): the one list shape of the API.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>
/// Keyset cursors: an opaque, URL-safe encoding of the sort key of the last item (a time and an id), so a
/// page is a range scan however deep the client goes, and rows added meanwhile never shift a page.
/// </summary>
public static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaximumLimit = 200;

    public static string Encode(DateTimeOffset at, Guid id)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.UtcTicks);
        id.TryWriteBytes(bytes[8..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The position after which the page starts; null without a cursor. A malformed cursor is a 400.</summary>
    public static (DateTimeOffset At, Guid Id)? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        var bytes = new byte[24];
        if (cursor.Length != 32 || !Convert.TryFromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4), bytes, out var written) || written != 24)
        {
            throw InvalidCursor();
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw InvalidCursor();
        }

        return (new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes.AsSpan(8)));
    }

    public static int Limit(int? requested) => requested switch
    {
        null => DefaultLimit,
        < 1 or > MaximumLimit => throw InvalidLimit(),
        var limit => limit.Value,
    };

    public static ProblemException InvalidCursor() =>
        new(StatusCodes.Status400BadRequest, "invalid_cursor", "The cursor is not one this API gave out.", "Pass the nextCursor of the previous page unchanged.");

    public static ProblemException InvalidLimit() => new(StatusCodes.Status400BadRequest, "invalid_limit", $"The limit must be between 1 and {MaximumLimit}.");

    /// <summary>Builds the page from <paramref name="limit"/> + 1 fetched rows (the extra one only says that there is more).</summary>
    public static Page<TOut> Build<TIn, TOut>(IReadOnlyList<TIn> rows, int limit, Func<TIn, (DateTimeOffset At, Guid Id)> key, Func<TIn, TOut> map)
    {
        var items = rows.Take(limit).Select(map).ToList();
        var next = rows.Count > limit ? key(rows[limit - 1]) : ((DateTimeOffset, Guid)?)null;
        return new Page<TOut>(items, next is { } position ? Encode(position.Item1, position.Item2) : null);
    }
}
