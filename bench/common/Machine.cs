using System.Globalization;

namespace TicketToken.Bench;

/// <summary>What the machine is doing besides the benchmark (it is shared), and what PostgreSQL spent of it.</summary>
public static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, as a reader of the results wants them next to the numbers.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>CPU of the PostgreSQL cluster in the data directory: the postmaster, its reaped children and its live ones (/proc).</summary>
    public static double ClusterCpuMs(string dataDirectory)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        const double TicksPerSecond = 100.0; // USER_HZ on Linux
        double total = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended meanwhile
            }

            // Fields after the command name (which may hold spaces) start at state; ppid is the 2nd, utime the 12th.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (pid != postmaster && parent != postmaster)
            {
                continue;
            }

            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (pid == postmaster)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }

            total += ticks;
        }

        return total / TicksPerSecond * 1000;
    }
}
