using System.Collections.Concurrent;

namespace TicketToken.Orders.Domain;

/// <summary>
/// Wakes the requests waiting on an order (<c>GET /api/orders/{id}</c> with <c>Prefer: wait</c>) when this process
/// saves a change to it. Only a hint: a change made by another replica, or one whose transaction commits after the
/// save, is found by the waiter's own periodic re-read, so a missed or early signal costs latency, never correctness.
/// Process-wide on purpose: a wake-up for an order some other host in the process owns is a harmless re-read.
/// </summary>
internal static class OrderSignals
{
    private static readonly ConcurrentDictionary<Guid, TaskCompletionSource> Waiting = new();

    /// <summary>A task that completes at the order's next signal. Take it before reading the order, so no change falls between.</summary>
    public static Task Next(Guid orderId) =>
        Waiting.GetOrAdd(orderId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static void Changed(Guid orderId)
    {
        if (Waiting.TryRemove(orderId, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    /// <summary>
    /// A waiter that answers removes the order's entry unless a signal replaced it meanwhile, so nothing piles up; another
    /// waiter on the same order then finds the change by its own re-read.
    /// </summary>
    public static void Forget(Guid orderId, Task signal)
    {
        if (Waiting.TryGetValue(orderId, out var waiters) && waiters.Task == signal)
        {
            Waiting.TryRemove(new KeyValuePair<Guid, TaskCompletionSource>(orderId, waiters));
        }
    }
}
