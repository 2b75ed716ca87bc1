using System.Diagnostics;

namespace TicketToken.Testing;

/// <summary>
/// Waits for eventually-consistent effects (a handler ran, a workflow finished) without fixed sleeps. A timeout is what
/// an idle machine needs; on a busy one it stretches with the load (<see cref="LoadFactor"/>), so a slow CI host makes
/// a test slower, not red.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The one-minute load average per core, between 1 and 6 (1 where the load cannot be read).</summary>
    public static double LoadFactor()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var load = double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
            return Math.Clamp(load / Environment.ProcessorCount, 1, 6);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 1;
        }
    }

    /// <summary>Whether a wait of <paramref name="limit"/> is over, after <paramref name="elapsed"/>, given how busy the machine is now.</summary>
    public static bool Expired(TimeSpan elapsed, TimeSpan limit) => elapsed > limit && elapsed > limit * LoadFactor();

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="because"/> on timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(20);
        while (!await condition())
        {
            if (Expired(clock.Elapsed, limit))
            {
                throw new TimeoutException($"Waited {clock.Elapsed.TotalSeconds:0.#} s (the limit {limit.TotalSeconds:0.#} s, stretched by the load) for: {because}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 250));
        }
    }

    /// <summary>Retries <paramref name="assertion"/> until it stops throwing; rethrows its last failure on timeout.</summary>
    public static async Task AssertAsync(Func<Task> assertion, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (!Expired(clock.Elapsed, limit))
            {
                await Task.Delay(50);
            }
        }
    }
}
