using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace TicketToken.Bench;

/// <summary>
/// Which methods the JIT compiles while it listens (the runtime's own MethodJittingStarted events, in process): a JIT still
/// busy during a measured sale means code that is made anew at run time (compiled expressions, regexes) or not yet warm.
/// </summary>
public sealed class JitLog : EventListener
{
    private const int MethodJittingStarted = 145;
    private readonly ConcurrentDictionary<string, int> _methods = new();
    private volatile bool _listening;

    public void Start() => _listening = true;

    public void Stop() => _listening = false;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_listening || eventData.EventId != MethodJittingStarted || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var ns = eventData.Payload[eventData.PayloadNames.IndexOf("MethodNamespace")] as string ?? "?";
        var name = eventData.Payload[eventData.PayloadNames.IndexOf("MethodName")] as string ?? "?";
        _methods.AddOrUpdate($"{ns}::{name}", 1, (_, n) => n + 1);
    }

    /// <summary>The most compiled methods and the namespaces with the most compilations.</summary>
    public void Print(int top)
    {
        var total = _methods.Values.Sum();
        Console.WriteLine($"  JIT log: {total:N0} compilations of {_methods.Count:N0} distinct methods");
        static string Namespace(string key)
        {
            var type = key[..key.IndexOf("::", StringComparison.Ordinal)];
            var bracket = type.IndexOf('[', StringComparison.Ordinal);
            return bracket > 0 ? type[..bracket] : type;
        }

        foreach (var group in _methods.GroupBy(m => Namespace(m.Key)).Select(g => (g.Key, Count: g.Sum(m => m.Value))).OrderByDescending(g => g.Count).Take(top))
        {
            Console.WriteLine($"    {group.Count,7:N0}  {group.Key}");
        }

        Console.WriteLine("  compiled most often:");
        foreach (var (key, count) in _methods.OrderByDescending(m => m.Value).Take(top))
        {
            Console.WriteLine($"    {count,7:N0}  {(key.Length > 160 ? key[..160] : key)}");
        }
    }
}
