using System.Diagnostics.Metrics;

namespace TicketToken.Queue.Domain;

/// <summary>
/// The waiting room on the platform's meter (<c>TicketToken.Queue</c>, exported by OTLP when configured): fans waiting,
/// joins, admissions, time from the opening (or the join, if later) to admission, and entries refused as bots. The meter
/// comes from the host's <see cref="IMeterFactory"/>, which owns it, so a test can tell this host's measurements from
/// another's in the same process.
/// </summary>
public sealed class QueueMetrics
{
    public const string MeterName = "TicketToken.Queue";

    private readonly Counter<long> _joins;
    private readonly Counter<long> _admitted;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _timeInQueue;
    private Func<long> _waiting = () => 0;

    public QueueMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _joins = meter.CreateCounter<long>("tickettoken.queue.joins", description: "Fans who took a place in a queue.");
        _admitted = meter.CreateCounter<long>("tickettoken.queue.admitted", description: "Fans admitted to buy; its rate is the admission rate.");
        _refused = meter.CreateCounter<long>("tickettoken.queue.refused_as_bots", description: "Entries whose risk score reached the organizer's refusal score.");
        _timeInQueue = meter.CreateHistogram<double>("tickettoken.queue.time_in_queue", unit: "s", description: "From the opening (or the join, if later) to admission.");
        meter.CreateObservableGauge("tickettoken.queue.length", () => _waiting(), description: "Fans waiting in every queue of this host.");
    }

    public void ObserveWaiting(Func<long> waiting) => _waiting = waiting;

    public void Joined(bool refused)
    {
        _joins.Add(1);
        if (refused)
        {
            _refused.Add(1);
        }
    }

    public void Admitted(TimeSpan waited)
    {
        _admitted.Add(1);
        _timeInQueue.Record(Math.Max(0, waited.TotalSeconds));
    }
}
