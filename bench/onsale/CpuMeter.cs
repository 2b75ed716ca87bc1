using System.Diagnostics;
using System.Globalization;

namespace TicketToken.Bench.Onsale;

/// <summary>
/// How busy the machine's cores were over an interval (from <c>/proc/stat</c>) and how much of that was this process
/// (host, load generator) rather than PostgreSQL or anything else running: everything here shares the same cores.
/// </summary>
public sealed class CpuMeter
{
    private readonly (long Busy, long Total) _machine = Read();
    private readonly TimeSpan _process = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Busy share of all cores, and this process's share of all cores, since construction (0-1 each).</summary>
    public (double Machine, double Process) Stop()
    {
        var (busy, total) = Read();
        var machine = total == _machine.Total ? 0 : (double)(busy - _machine.Busy) / (total - _machine.Total);
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _process).TotalSeconds / (_clock.Elapsed.TotalSeconds * Environment.ProcessorCount);
        return (machine, Math.Min(process, machine));
    }

    private static (long Busy, long Total) Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return (0, 0);
        }

        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Sum();
        return (total - fields[3] - fields[4], total);
    }
}
