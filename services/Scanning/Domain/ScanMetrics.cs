using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TicketToken.Scanning.Domain;

/// <summary>Scans as metrics (meter <c>TicketToken.Scanning</c>, exported by OTLP when configured): counts by outcome and reason, and how long the answer took.</summary>
internal static class ScanMetrics
{
    private static readonly Meter Meter = new("TicketToken.Scanning");
    private static readonly Counter<long> Scans = Meter.CreateCounter<long>("tickettoken.scans", description: "Scans answered, by outcome, reason and direction.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("tickettoken.scan.duration", unit: "ms",
        description: "From the scan's arrival to its durable answer.");

    public static void Record(ScanOutcome outcome, string direction, long startedAt)
    {
        var tags = new TagList { { "outcome", outcome.Allowed ? "allowed" : "denied" }, { "reason", outcome.Reason ?? "none" }, { "direction", direction } };
        Scans.Add(1, tags);
        Duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, tags);
    }
}
