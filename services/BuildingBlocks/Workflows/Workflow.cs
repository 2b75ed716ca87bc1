using Microsoft.Extensions.Logging;

namespace TicketToken.BuildingBlocks.Workflows;

/// <summary>
/// A code-first, replayed workflow (the Dapr SDK's shape). <see cref="RunAsync"/> is re-run over the
/// recorded history after every step, so it must be deterministic: take time, ids and logging from
/// the <see cref="WorkflowContext"/>, do I/O only in activities, and never use Task.Run or Task.Delay.
/// </summary>
public abstract class Workflow<TInput, TOutput> : IWorkflow
{
    public abstract Task<TOutput> RunAsync(WorkflowContext context, TInput input);

    Type IWorkflow.InputType => typeof(TInput);

    Type IWorkflow.OutputType => typeof(TOutput);

    async Task<object?> IWorkflow.RunAsync(WorkflowContext context, object? input) => await RunAsync(context, (TInput)input!);
}

/// <summary>
/// One step of a workflow that may do I/O. Runs at least once per scheduled call: use
/// <see cref="WorkflowActivityContext.IdempotencyKey"/> to make its effect happen once.
/// </summary>
public abstract class WorkflowActivity<TInput, TOutput> : IWorkflowActivity
{
    public abstract Task<TOutput> RunAsync(WorkflowActivityContext context, TInput input);

    Type IWorkflowActivity.InputType => typeof(TInput);

    Type IWorkflowActivity.OutputType => typeof(TOutput);

    async Task<object?> IWorkflowActivity.RunAsync(WorkflowActivityContext context, object? input) => await RunAsync(context, (TInput)input!);
}

/// <summary>What the engine sees of a workflow; derive from <see cref="Workflow{TInput, TOutput}"/> instead.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IWorkflow
{
    Type InputType { get; }
    Type OutputType { get; }
    Task<object?> RunAsync(WorkflowContext context, object? input);
}

/// <summary>What the engine sees of an activity; derive from <see cref="WorkflowActivity{TInput, TOutput}"/> instead.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public interface IWorkflowActivity
{
    Type InputType { get; }
    Type OutputType { get; }
    Task<object?> RunAsync(WorkflowActivityContext context, object? input);
}

/// <summary>What an activity knows about the call it serves.</summary>
public sealed record WorkflowActivityContext(string InstanceId, string Name, int TaskSequence, int Attempt, CancellationToken CancellationToken)
{
    /// <summary><c>{instanceId}:{sequence}</c>: the same for every attempt of this call, different for every other call.</summary>
    public string IdempotencyKey => $"{InstanceId}:{TaskSequence}";
}

/// <summary>The workflow's window on the world: every operation here is recorded and replayed.</summary>
public abstract class WorkflowContext
{
    public abstract string Name { get; }

    public abstract string InstanceId { get; }

    /// <summary>The time of the history step being replayed or executed (never the wall clock).</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>True while the method re-runs over recorded history.</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>Schedules an activity and waits for its result; a failure after the last attempt throws <see cref="WorkflowTaskFailedException"/>.</summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, WorkflowTaskOptions? options = null);

    public Task CallActivityAsync(string name, object? input = null, WorkflowTaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    /// <summary>A durable timer: survives restarts; fires at <paramref name="fireAt"/> (UTC).</summary>
    public abstract Task CreateTimer(DateTime fireAt);

    public Task CreateTimer(TimeSpan delay) => CreateTimer(CurrentUtcDateTime + delay);

    /// <summary>Waits for an event raised on this instance. Events raised before the wait are kept for it.</summary>
    public abstract Task<T> WaitForExternalEventAsync<T>(string eventName);

    /// <summary>As <see cref="WaitForExternalEventAsync{T}(string)"/>, throwing <see cref="TaskCanceledException"/> after <paramref name="timeout"/>.</summary>
    public abstract Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout);

    /// <summary>A value clients see in <see cref="WorkflowState.CustomStatus"/> (for example a payment client secret).</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>A GUID that is the same on every replay (derived from the instance id and a counter).</summary>
    public abstract Guid NewGuid();

    /// <summary>A logger that stays silent while the workflow replays.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);

    public ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T).FullName ?? typeof(T).Name);
}
