using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace TicketToken.Orders.Apis;

/// <summary>
/// Waiting for an order to change without polling it: an ETag on the order, and <c>Prefer: wait=N</c> (RFC 7240) with
/// <c>If-None-Match</c> to be answered at the next change. During an on-sale thousands of fans follow their orders. With
/// the embedded runtime, the one process that writes orders signals every committed change (<see cref="Domain.OrderSignals"/>),
/// so a waiting request reads the order once and again only when woken. With Dapr another replica may change the order
/// unseen, so a waiter also re-reads after <see cref="Reread"/>, then after twice as long each time nothing changed, up to
/// <see cref="MaximumReread"/>: not a full request every few milliseconds.
/// </summary>
internal static class LongPoll
{
    public static readonly TimeSpan MaximumWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How soon a waiting request first re-reads the order when nothing in this process signalled a change (Dapr runtime
    /// only): what a change made by another replica may be late by.
    /// </summary>
    public static readonly TimeSpan Reread = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest pause between re-reads. With a fixed 1 s, a 20,000-seat sell-out whose fans waited about 48 s each read
    /// the order 39 times per purchase, 39 of its 144 statements (bench/README.md, Sell-out); a change
    /// saved by this process still wakes a waiter at once.
    /// </summary>
    public static readonly TimeSpan MaximumReread = TimeSpan.FromSeconds(5);

    /// <summary>The pause after <paramref name="pause"/> when the re-read found nothing new: twice as long, at most <see cref="MaximumReread"/>.</summary>
    public static TimeSpan NextReread(TimeSpan pause) => pause * 2 < MaximumReread ? pause * 2 : MaximumReread;

    /// <summary>
    /// Waits for the order's <paramref name="signal"/> until <paramref name="deadline"/>; where another process may change
    /// the order without a signal here, for at most <paramref name="reread"/> (null: the signal is all there is). True when
    /// the order is to be read again, false when the deadline passed with nothing new.
    /// </summary>
    public static async Task<bool> WaitForChangeAsync(Task? signal, DateTimeOffset deadline, TimeSpan? reread, TimeProvider time, CancellationToken cancellationToken)
    {
        var left = deadline - time.GetUtcNow();
        if (left <= TimeSpan.Zero || signal is null)
        {
            return false;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pause = Task.Delay(reread < left ? reread.Value : left, time, stop.Token);
        var woken = await Task.WhenAny(signal, pause) == signal;
        await stop.CancelAsync(); // the timer goes with the answer instead of living on until it would have fired
        cancellationToken.ThrowIfCancellationRequested();
        return woken || reread is not null;
    }

    /// <summary>The <c>wait</c> preference in whole seconds, capped at <see cref="MaximumWait"/>; zero if absent or malformed.</summary>
    public static TimeSpan RequestedWait(StringValues prefer)
    {
        foreach (var header in prefer)
        {
            foreach (var preference in (header ?? "").Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (preference.StartsWith("wait=", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(preference.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                {
                    var wait = TimeSpan.FromSeconds(seconds);
                    return wait < MaximumWait ? wait : MaximumWait;
                }
            }
        }

        return TimeSpan.Zero;
    }

    /// <summary>A strong ETag over the representation: equal answers, equal tags.</summary>
    public static string ETagOf<T>(T representation)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(representation, JsonSerializerOptions.Web), hash);
        return $"\"{Base64Url.EncodeToString(hash[..12])}\"";
    }
}
