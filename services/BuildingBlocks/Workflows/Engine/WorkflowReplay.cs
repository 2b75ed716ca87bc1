using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

internal enum ReplayOutcome
{
    Blocked,
    Completed,
    Failed,
}

internal abstract record WorkflowCommand(int Seq);

internal sealed record ScheduleActivityCommand(int Seq, string Name, JsonElement? Input, WorkflowRetryPolicy? Retry) : WorkflowCommand(Seq);

internal sealed record CreateTimerCommand(int Seq, DateTime FireAt) : WorkflowCommand(Seq);

internal sealed record ReplayResult(
    ReplayOutcome Outcome,
    JsonElement? Output,
    WorkflowFailureDetails? Failure,
    IReadOnlyList<WorkflowCommand> NewCommands,
    IReadOnlyList<int> AbandonedTimers,
    JsonElement? CustomStatus);

/// <summary>
/// One step of the replay engine: runs the workflow method from the start, answering each operation
/// from history in order, and collects the operations history does not have yet as new commands.
/// Everything runs on the calling thread under a private synchronization context, so continuations
/// run in a fixed order and the same history always produces the same commands.
/// </summary>
internal sealed class WorkflowReplay : WorkflowContext
{
    private readonly string _instanceId;
    private readonly WorkflowInstance _instance;
    private readonly int _newEventsFrom;
    private readonly IWorkflow _workflow;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<HistoryEvent> _recordedCommands;
    private readonly Dictionary<int, Action<JsonElement?, Exception?>> _pending = [];
    private readonly Dictionary<string, Queue<JsonElement?>> _bufferedEvents = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, LinkedList<EventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<WorkflowCommand> _newCommands = [];
    private readonly List<int> _abandonedTimers = [];
    private int _nextSeq;
    private int _guidCounter;
    private int _outstanding;
    private DateTime _currentTime;
    private bool _isReplaying;
    private JsonElement? _customStatus;
    private NonDeterministicWorkflowException? _nonDeterminism;

    public WorkflowReplay(string instanceId, WorkflowInstance instance, int newEventsFrom, IWorkflow workflow, ILoggerFactory loggerFactory)
    {
        _instanceId = instanceId;
        _instance = instance;
        _newEventsFrom = newEventsFrom;
        _workflow = workflow;
        _loggerFactory = loggerFactory;
        _recordedCommands = instance.History.Where(e => e is ActivityScheduledEvent or TimerCreatedEvent).ToList();
        _customStatus = instance.CustomStatus;
    }

    public override string Name => _instance.Name;

    public override string InstanceId => _instanceId;

    public override DateTime CurrentUtcDateTime => _currentTime;

    public override bool IsReplaying => _isReplaying;

    public ReplayResult Run()
    {
        var history = _instance.History;
        var started = (WorkflowStartedEvent)history[0];
        var pump = new ReplaySynchronizationContext();
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(pump);
        try
        {
            _currentTime = started.Timestamp;
            _isReplaying = _newEventsFrom > 0;
            Task<object?> run;
            try
            {
                var input = started.Input is { } json ? json.Deserialize(_workflow.InputType, RuntimeJson.Options) : null;
                run = _workflow.RunAsync(this, input);
            }
            catch (Exception ex)
            {
                run = Task.FromException<object?>(ex);
            }

            pump.RunPending();
            for (var i = 1; i < history.Count && !run.IsCompleted && _nonDeterminism is null; i++)
            {
                _isReplaying = i < _newEventsFrom;
                Apply(history[i]);
                pump.RunPending();
            }

            _isReplaying = false;
            return Outcome(run);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, WorkflowTaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var inputJson = ToJson(input);
        var seq = _nextSeq++;
        if (seq < _recordedCommands.Count)
        {
            if (_recordedCommands[seq] is not ActivityScheduledEvent recorded || recorded.Name != name || !SameJson(recorded.Input, inputJson))
            {
                return Task.FromException<TResult>(NonDeterminism(seq, $"activity '{name}' with input {Describe(inputJson)}"));
            }
        }
        else
        {
            _newCommands.Add(new ScheduleActivityCommand(seq, name, inputJson, options?.RetryPolicy));
        }

        var completion = new TaskCompletionSource<TResult>();
        Track(seq, (output, error) =>
        {
            if (error is not null)
            {
                completion.TrySetException(error);
                return;
            }

            try
            {
                completion.TrySetResult(output is { } json ? json.Deserialize<TResult>(RuntimeJson.Options)! : default!);
            }
            catch (JsonException ex)
            {
                completion.TrySetException(ex);
            }
        });
        return completion.Task;
    }

    public override Task CreateTimer(DateTime fireAt)
    {
        var completion = new TaskCompletionSource();
        var seq = ScheduleTimer(fireAt, out var mismatch);
        if (mismatch is not null)
        {
            return Task.FromException(mismatch);
        }

        Track(seq, (_, _) => completion.TrySetResult());
        return completion.Task;
    }

    public override Task<T> WaitForExternalEventAsync<T>(string eventName) => Wait<T>(eventName, timeout: null);

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout) => Wait<T>(eventName, timeout);

    public override void SetCustomStatus(object? customStatus) => _customStatus = ToJson(customStatus);

    public override Guid NewGuid()
    {
        // Name-based over the instance id and a per-instance counter (UUID version 8 layout, SHA-256).
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{_instanceId}:{_guidCounter++}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public override ILogger CreateReplaySafeLogger(string categoryName) => new ReplaySafeLogger(_loggerFactory.CreateLogger(categoryName), this);

    private Task<T> Wait<T>(string eventName, TimeSpan? timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var completion = new TaskCompletionSource<T>();
        void Deliver(JsonElement? payload)
        {
            try
            {
                completion.TrySetResult(payload is { } json ? json.Deserialize<T>(RuntimeJson.Options)! : default!);
            }
            catch (JsonException ex)
            {
                completion.TrySetException(ex);
            }
        }

        if (_bufferedEvents.TryGetValue(eventName, out var buffered) && buffered.Count > 0)
        {
            Deliver(buffered.Dequeue());
            return completion.Task;
        }

        var waiter = new EventWaiter(Deliver);
        if (!_waiters.TryGetValue(eventName, out var queue))
        {
            _waiters[eventName] = queue = new LinkedList<EventWaiter>();
        }

        var node = queue.AddLast(waiter);
        _outstanding++;
        if (timeout is { } limit && limit != Timeout.InfiniteTimeSpan)
        {
            waiter.TimerSeq = ScheduleTimer(_currentTime + limit, out var mismatch);
            if (mismatch is not null)
            {
                return Task.FromException<T>(mismatch);
            }

            Track(waiter.TimerSeq, (_, _) =>
            {
                if (waiter.Done)
                {
                    return;
                }

                waiter.Done = true;
                _outstanding--;
                queue.Remove(node);
                completion.TrySetException(new TaskCanceledException($"Timed out after {limit} waiting for event '{eventName}'."));
            });
        }

        return completion.Task;
    }

    private int ScheduleTimer(DateTime fireAt, out NonDeterministicWorkflowException? mismatch)
    {
        var at = fireAt.Kind == DateTimeKind.Local ? fireAt.ToUniversalTime() : DateTime.SpecifyKind(fireAt, DateTimeKind.Utc);
        var seq = _nextSeq++;
        mismatch = null;
        if (seq < _recordedCommands.Count)
        {
            if (_recordedCommands[seq] is not TimerCreatedEvent recorded || recorded.FireAt != at)
            {
                mismatch = NonDeterminism(seq, $"a timer firing at {at:O}");
            }
        }
        else
        {
            _newCommands.Add(new CreateTimerCommand(seq, at));
        }

        return seq;
    }

    private void Track(int seq, Action<JsonElement?, Exception?> complete)
    {
        _pending[seq] = complete;
        _outstanding++;
    }

    private void Apply(HistoryEvent e)
    {
        switch (e)
        {
            case ActivityCompletedEvent completed:
                Complete(completed, completed.Seq, completed.Output, null);
                break;
            case ActivityFailedEvent { Final: true } failed:
                var activity = _instance.FindActivity(failed.Seq)?.Name ?? "?";
                Complete(failed, failed.Seq, null, new WorkflowTaskFailedException(
                    $"Activity '{activity}' (task {failed.Seq}) failed after {failed.Attempt} attempt(s): {failed.Failure.ErrorMessage}", failed.Failure));
                break;
            case TimerFiredEvent fired:
                Complete(fired, fired.Seq, null, null);
                break;
            case EventRaisedEvent raised:
                _currentTime = raised.Timestamp;
                DeliverEvent(raised.Name, raised.Payload);
                break;
        }
    }

    private void Complete(HistoryEvent e, int seq, JsonElement? output, Exception? error)
    {
        _currentTime = e.Timestamp;
        if (!_pending.Remove(seq, out var complete))
        {
            _nonDeterminism ??= new NonDeterministicWorkflowException(
                $"Workflow '{Name}' instance '{_instanceId}': history holds a result for task {seq}, which this replay never scheduled. The workflow code is not deterministic.");
            return;
        }

        _outstanding--;
        complete(output, error);
    }

    private void DeliverEvent(string name, JsonElement? payload)
    {
        if (_waiters.TryGetValue(name, out var queue))
        {
            while (queue.First is { } node)
            {
                queue.RemoveFirst();
                if (node.Value.Done)
                {
                    continue;
                }

                node.Value.Done = true;
                _outstanding--;
                if (node.Value.TimerSeq >= 0 && !_isReplaying)
                {
                    _abandonedTimers.Add(node.Value.TimerSeq);
                }

                node.Value.Deliver(payload);
                return;
            }
        }

        if (!_bufferedEvents.TryGetValue(name, out var buffered))
        {
            _bufferedEvents[name] = buffered = new Queue<JsonElement?>();
        }

        buffered.Enqueue(payload);
    }

    private ReplayResult Outcome(Task<object?> run)
    {
        if (_nonDeterminism is not null)
        {
            return Failed(WorkflowFailureDetails.From(_nonDeterminism));
        }

        if (run.IsCompletedSuccessfully)
        {
            var output = run.Result is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(run.Result, _workflow.OutputType, RuntimeJson.Options);
            return new ReplayResult(ReplayOutcome.Completed, output, null, [], _abandonedTimers, _customStatus);
        }

        if (run.IsFaulted || run.IsCanceled)
        {
            var error = run.Exception?.InnerExceptions.Count == 1 ? run.Exception.InnerException! : (Exception?)run.Exception ?? new TaskCanceledException();
            return Failed(WorkflowFailureDetails.From(error));
        }

        if (_outstanding == 0 && _newCommands.Count == 0)
        {
            return Failed(new WorkflowFailureDetails(typeof(InvalidOperationException).FullName!,
                $"Workflow '{Name}' awaited something that is not a workflow operation (Task.Delay, Task.Run or I/O?). Use the context's timers, activities and events."));
        }

        return new ReplayResult(ReplayOutcome.Blocked, null, null, _newCommands, _abandonedTimers, _customStatus);
    }

    private ReplayResult Failed(WorkflowFailureDetails failure) =>
        new(ReplayOutcome.Failed, null, failure, [], _abandonedTimers, _customStatus);

    private NonDeterministicWorkflowException NonDeterminism(int seq, string issued)
    {
        var recorded = _recordedCommands[seq] switch
        {
            ActivityScheduledEvent a => $"activity '{a.Name}' with input {Describe(a.Input)}",
            TimerCreatedEvent t => $"a timer firing at {t.FireAt:O}",
            var other => other.GetType().Name,
        };
        return _nonDeterminism ??= new NonDeterministicWorkflowException(
            $"Workflow '{Name}' instance '{_instanceId}' is not deterministic: at task {seq} history recorded {recorded}, but the replay asked for {issued}. " +
            "Workflow code must not read the clock, random numbers or I/O directly; use the context.");
    }

    private static JsonElement? ToJson(object? value) =>
        value is null ? null : JsonSerializer.SerializeToElement(value, value.GetType(), RuntimeJson.Options);

    private static bool SameJson(JsonElement? a, JsonElement? b) =>
        (a, b) switch
        {
            (null, null) => true,
            ({ } x, { } y) => JsonElement.DeepEquals(x, y),
            _ => a is { ValueKind: JsonValueKind.Null } || b is { ValueKind: JsonValueKind.Null },
        };

    private static string Describe(JsonElement? json) => json?.GetRawText() ?? "null";

    private sealed class EventWaiter(Action<JsonElement?> deliver)
    {
        public Action<JsonElement?> Deliver { get; } = deliver;
        public bool Done { get; set; }
        public int TimerSeq { get; set; } = -1;
    }

    private sealed class ReplaySafeLogger(ILogger inner, WorkflowContext context) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !context.IsReplaying && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!context.IsReplaying)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    /// <summary>Queues continuations and runs them on the replaying thread, in order.</summary>
    private sealed class ReplaySynchronizationContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _work = new();

        public override void Post(SendOrPostCallback d, object? state) => _work.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public void RunPending()
        {
            while (_work.TryDequeue(out var item))
            {
                item.Callback(item.State);
            }
        }
    }
}
