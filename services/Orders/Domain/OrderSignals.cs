namespace TicketToken.Orders.Domain;

/// <summary>
/// Wakes the requests waiting on an order (<c>GET /api/orders/{id}</c> with <c>Prefer: wait</c>) once this process has
/// committed a change to it (<see cref="Data.OrdersDbContext"/> signals after the commit, never before). With the embedded
/// runtime this process is the only writer of the orders schema (ADR 0005), so a waiter needs nothing else; with Dapr a
/// change committed by another replica has no signal here, and waiters re-read the order now and then as well.
/// Process-wide on purpose: a wake-up for an order some other host in the process owns is a harmless re-read.
/// </summary>
internal static class OrderSignals
{
    private static readonly Dictionary<Guid, Waiters> Waiting = [];

    /// <summary>
    /// A task that completes at the order's next signal. Take it before reading the order, so that no change falls
    /// between the read and the wait, and give it back with <see cref="Forget"/> however the wait ends.
    /// </summary>
    public static Task Next(Guid orderId)
    {
        lock (Waiting)
        {
            if (!Waiting.TryGetValue(orderId, out var waiters))
            {
                Waiting[orderId] = waiters = new Waiters();
            }

            waiters.Count++;
            return waiters.Signal.Task;
        }
    }

    /// <summary>A change of the order committed: what is known of its answer goes first, then every waiter wakes.</summary>
    public static void Changed(Guid orderId)
    {
        OrderETags.Changed(orderId);
        Waiters? waiters;
        lock (Waiting)
        {
            if (!Waiting.Remove(orderId, out waiters))
            {
                return;
            }
        }

        waiters.Signal.TrySetResult();
    }

    /// <summary>
    /// Gives back a task <see cref="Next"/> handed out. The order's entry goes when its last waiter gave its task back,
    /// so two requests waiting on one order both hear its next change, and nothing piles up.
    /// </summary>
    public static void Forget(Guid orderId, Task signal)
    {
        lock (Waiting)
        {
            if (Waiting.TryGetValue(orderId, out var waiters) && waiters.Signal.Task == signal && --waiters.Count == 0)
            {
                Waiting.Remove(orderId);
            }
        }
    }

    /// <summary>Whether a request holds a signal of the order (for tests: nothing may stay behind).</summary>
    internal static bool IsWaitedOn(Guid orderId)
    {
        lock (Waiting)
        {
            return Waiting.ContainsKey(orderId);
        }
    }

    private sealed class Waiters
    {
        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }
}
