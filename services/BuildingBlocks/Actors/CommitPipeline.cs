namespace TicketToken.BuildingBlocks.Actors;

/// <summary>
/// The commits of one activation, in turn order. A turn hands its changes over and releases the actor at once;
/// its caller is answered when they are durable. While one commit is in flight, the turns that run meanwhile
/// queue theirs, and the next commit writes all of them at once (the last value of a key wins), so a busy actor
/// serves turns at the speed of memory while paying for one round trip per commit, not per turn.
/// A turn that changed nothing still waits for the commits before it: it may have read what they wrote.
/// When a commit fails, every turn queued behind it fails too (each may have built on it), and the activation is
/// broken: the runtime drops it, and the next turn starts from what the store holds.
/// </summary>
internal sealed class CommitPipeline(string actorType, string actorId, IActorStateStore store)
{
    private readonly object _gate = new();
    private List<Pending> _queued = [];
    private Task _drained = Task.CompletedTask;
    private bool _inFlight;
    private Exception? _failure;

    private sealed record Pending(IReadOnlyList<ActorStateChange> State, IReadOnlyList<ActorReminderChange> Reminders, TaskCompletionSource Done);

    public bool Failed
    {
        get
        {
            lock (_gate)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>Queues a turn's changes; completes when they, and every earlier turn's, are durable.</summary>
    public Task Enqueue(IReadOnlyList<ActorStateChange> state, IReadOnlyList<ActorReminderChange> reminders)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return Task.FromException(new InvalidOperationException($"An earlier commit of actor {actorType}/{actorId} failed; this turn built on it.", _failure));
            }

            if (!_inFlight && state.Count == 0 && reminders.Count == 0)
            {
                return Task.CompletedTask; // nothing to write and nothing earlier to wait for
            }

            var pending = new Pending(state, reminders, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _queued.Add(pending);
            if (!_inFlight)
            {
                _inFlight = true;
                _drained = DrainLoopAsync();
            }

            return pending.Done.Task;
        }
    }

    /// <summary>Completes when nothing is in flight; never throws.</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            return _drained.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task DrainLoopAsync()
    {
        await Task.Yield(); // let the turn that started the commit release the actor first
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _inFlight = false;
                    return;
                }

                batch = _queued;
                _queued = [];
            }

            try
            {
                var (state, reminders) = Merge(batch);
                if (state.Count > 0 || reminders.Count > 0)
                {
                    await store.SaveAsync(actorType, actorId, state, reminders, CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                List<Pending> behind;
                lock (_gate)
                {
                    _failure = ex;
                    behind = _queued;
                    _queued = [];
                    _inFlight = false;
                }

                foreach (var pending in batch.Concat(behind))
                {
                    pending.Done.TrySetException(ex);
                }

                return;
            }

            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
        }
    }

    /// <summary>The turns' changes as one commit, in turn order: the last write of a key or a reminder wins.</summary>
    private static (IReadOnlyList<ActorStateChange> State, IReadOnlyList<ActorReminderChange> Reminders) Merge(List<Pending> batch)
    {
        if (batch.Count == 1)
        {
            return (batch[0].State, batch[0].Reminders);
        }

        var state = new Dictionary<string, ActorStateChange>(StringComparer.Ordinal);
        var reminders = new Dictionary<string, ActorReminderChange>(StringComparer.Ordinal);
        foreach (var pending in batch)
        {
            foreach (var change in pending.State)
            {
                state[change.Key] = change;
            }

            foreach (var change in pending.Reminders)
            {
                reminders[change.Name] = change;
            }
        }

        return ([.. state.Values], [.. reminders.Values]);
    }
}
