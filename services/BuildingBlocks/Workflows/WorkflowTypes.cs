using System.Text.Json;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Workflows;

/// <summary>
/// How an activity is retried. Declare each once, with a name that says what it guards
/// (<c>static readonly WorkflowRetryPolicy PaymentGateway = new(5, TimeSpan.FromSeconds(1), 2) { Name = "payment-gateway" }</c>).
/// Attempt n waits <c>FirstRetryInterval * BackoffCoefficient^(n-1)</c>, capped by <see cref="MaxRetryInterval"/>;
/// no retry starts after <see cref="RetryTimeout"/> has passed since the first attempt.
/// </summary>
public sealed record WorkflowRetryPolicy(
    int MaxNumberOfAttempts,
    TimeSpan FirstRetryInterval,
    double BackoffCoefficient = 1.0,
    TimeSpan? MaxRetryInterval = null,
    TimeSpan? RetryTimeout = null)
{
    public string? Name { get; init; }

    /// <summary>The delay before attempt <paramref name="nextAttempt"/> (2 or more).</summary>
    public TimeSpan DelayBefore(int nextAttempt)
    {
        var delay = FirstRetryInterval.TotalMilliseconds * Math.Pow(BackoffCoefficient, Math.Max(0, nextAttempt - 2));
        if (MaxRetryInterval is { } max)
        {
            delay = Math.Min(delay, max.TotalMilliseconds);
        }

        return TimeSpan.FromMilliseconds(delay);
    }
}

public sealed record WorkflowTaskOptions(WorkflowRetryPolicy? RetryPolicy = null);

public enum WorkflowRuntimeStatus
{
    Unknown = -1,
    Running,
    Completed,
    ContinuedAsNew,
    Failed,
    Canceled,
    Terminated,
    Pending,
    Suspended,
}

/// <summary>Why something failed, in a form that survives serialization.</summary>
public sealed record WorkflowFailureDetails(string ErrorType, string ErrorMessage, string? StackTrace = null)
{
    public bool IsCausedBy<T>() where T : Exception =>
        ErrorType == typeof(T).FullName || Type.GetType(ErrorType) is { } type && typeof(T).IsAssignableFrom(type);

    public static WorkflowFailureDetails From(Exception exception) =>
        new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace);
}

/// <summary>An activity failed on its last attempt.</summary>
public sealed class WorkflowTaskFailedException : Exception
{
    public WorkflowTaskFailedException(string message, WorkflowFailureDetails failureDetails) : base(message) => FailureDetails = failureDetails;

    public WorkflowFailureDetails FailureDetails { get; }
}

/// <summary>A replay produced a different command than history recorded at that position.</summary>
public sealed class NonDeterministicWorkflowException : Exception
{
    public NonDeterministicWorkflowException(string message) : base(message) { }
}

/// <summary>No workflow instance has that id.</summary>
public sealed class WorkflowNotFoundException : Exception
{
    public WorkflowNotFoundException(string instanceId) : base($"No workflow instance '{instanceId}' exists.") => InstanceId = instanceId;

    public string InstanceId { get; }
}

/// <summary>A snapshot of one workflow instance.</summary>
public sealed record WorkflowState
{
    public bool Exists { get; init; }
    public required string InstanceId { get; init; }
    public string? Name { get; init; }
    public WorkflowRuntimeStatus RuntimeStatus { get; init; } = WorkflowRuntimeStatus.Unknown;
    public DateTime CreatedAt { get; init; }
    public DateTime LastUpdatedAt { get; init; }
    public JsonElement? Input { get; init; }
    public JsonElement? Output { get; init; }
    public JsonElement? CustomStatus { get; init; }
    public WorkflowFailureDetails? FailureDetails { get; init; }

    public bool IsWorkflowRunning => RuntimeStatus is WorkflowRuntimeStatus.Running or WorkflowRuntimeStatus.Pending;

    public bool IsWorkflowCompleted =>
        RuntimeStatus is WorkflowRuntimeStatus.Completed or WorkflowRuntimeStatus.Failed or WorkflowRuntimeStatus.Terminated;

    public T? ReadInputAs<T>() => RuntimeJson.FromElement<T>(Input);

    public T? ReadOutputAs<T>() => RuntimeJson.FromElement<T>(Output);

    public T? ReadCustomStatusAs<T>() => RuntimeJson.FromElement<T>(CustomStatus);
}

/// <summary>Starts and manages workflow instances of the calling module (Dapr's <c>DaprWorkflowClient</c>).</summary>
public interface IWorkflowClient
{
    /// <summary>Starts an instance; starting an id that already exists (for the same workflow) does nothing and returns the id.</summary>
    Task<string> ScheduleNewWorkflowAsync(string name, string? instanceId = null, object? input = null, CancellationToken cancellationToken = default);

    Task<WorkflowState> GetWorkflowStateAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default);

    /// <summary>Polls until the instance completes, fails or is terminated.</summary>
    Task<WorkflowState> WaitForWorkflowCompletionAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default);

    /// <summary>Raises an event; throws <see cref="WorkflowNotFoundException"/> for an unknown instance; ignored by a finished one.</summary>
    Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellationToken = default);

    Task TerminateWorkflowAsync(string instanceId, object? output = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a finished instance's history; false when there was nothing to purge.</summary>
    Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default);
}
