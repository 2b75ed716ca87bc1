namespace TicketToken.BuildingBlocks.Actors;

/// <summary>A first-in, first-out async lock: an actor's turns run one at a time, in arrival order.</summary>
internal sealed class TurnLock
{
    private readonly object _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private bool _held;

    public Task EnterAsync()
    {
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
            return waiter.Task;
        }
    }

    public bool IsHeld
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_held)
            {
                return false;
            }

            _held = true;
            return true;
        }
    }

    public void Exit()
    {
        TaskCompletionSource? next;
        lock (_gate)
        {
            if (!_waiters.TryDequeue(out next))
            {
                _held = false;
            }
        }

        next?.SetResult();
    }
}
