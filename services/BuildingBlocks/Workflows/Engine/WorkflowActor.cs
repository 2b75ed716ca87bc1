using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>The engine's actor contract: one actor per workflow instance. Not for module code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IWorkflowActor : IActor
{
    Task StartWorkflowAsync(StartWorkflowRequest request);
    Task<WorkflowState> GetWorkflowStateAsync(GetWorkflowStateRequest request);
    Task RaiseWorkflowEventAsync(RaiseWorkflowEventRequest request);
    Task TerminateWorkflowAsync(TerminateWorkflowRequest request);
    Task<bool> PurgeWorkflowAsync();
    Task CompleteActivityAsync(ActivityResult result);
    Task<WorkflowDetails> GetWorkflowDetailsAsync();
}

/// <summary>An instance as an operator inspects it: its state (custom status included) and its whole history.</summary>
public sealed record WorkflowDetails(WorkflowState State, IReadOnlyList<JsonElement> History);

public sealed record StartWorkflowRequest(string Name, JsonElement? Input);

public sealed record GetWorkflowStateRequest(bool IncludeInputsAndOutputs);

public sealed record RaiseWorkflowEventRequest(string Name, JsonElement? Payload);

public sealed record TerminateWorkflowRequest(JsonElement? Output);

public sealed record ActivityResult(int Seq, int Attempt, JsonElement? Output, WorkflowFailureDetails? Failure);

/// <summary>
/// Hosts one workflow instance; its state is the history. Each turn appends what happened, replays the
/// workflow, records the new commands and their reminders, commits, and only then starts activities,
/// so every record is durable before its effect is attempted.
/// </summary>
internal sealed class WorkflowActor : Actor, IWorkflowActor, IRemindable
{
    private const string StateKey = "instance";

    private readonly AppWorkflows _app;
    private readonly WorkflowActivityRunner _runner;
    private readonly IServiceProvider _services;
    private readonly WorkflowEngineOptions _options;
    private readonly WorkflowCatalog _catalog;

    public WorkflowActor(ActorHost host, WorkflowRegistry registry, WorkflowActivityRunner runner, IServiceProvider services, IOptions<WorkflowEngineOptions> options,
        WorkflowCatalog catalog)
        : base(host)
    {
        _app = registry.ForActorType(host.ActorType);
        _runner = runner;
        _services = services;
        _options = options.Value;
        _catalog = catalog;
    }

    private string InstanceId => Id.Id;

    private DateTime Now => Host.TimeProvider.GetUtcNow().UtcDateTime;

    public async Task StartWorkflowAsync(StartWorkflowRequest request)
    {
        var existing = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (existing.HasValue)
        {
            if (existing.Value.Name != request.Name)
            {
                throw new InvalidOperationException($"Instance '{InstanceId}' already exists as a '{existing.Value.Name}' workflow.");
            }

            return;
        }

        _app.Workflow(request.Name);
        var now = Now;
        var instance = new WorkflowInstance
        {
            Name = request.Name,
            Status = WorkflowRuntimeStatus.Running,
            CreatedAt = now,
            LastUpdatedAt = now,
            History = [new WorkflowStartedEvent(now, request.Name, request.Input)],
        };
        await AdvanceAsync(instance, newEventsFrom: 0);
    }

    public async Task<WorkflowState> GetWorkflowStateAsync(GetWorkflowStateRequest request)
    {
        var instance = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        return instance.HasValue
            ? instance.Value.ToState(InstanceId, request.IncludeInputsAndOutputs)
            : new WorkflowState { InstanceId = InstanceId, Exists = false };
    }

    public async Task<WorkflowDetails> GetWorkflowDetailsAsync()
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue)
        {
            throw new WorkflowNotFoundException(InstanceId);
        }

        return new WorkflowDetails(found.Value.ToState(InstanceId, includeInputsAndOutputs: true),
            [.. found.Value.History.Select(e => JsonSerializer.SerializeToElement(e, Serialization.RuntimeJson.Options))]);
    }

    public async Task RaiseWorkflowEventAsync(RaiseWorkflowEventRequest request)
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue)
        {
            throw new WorkflowNotFoundException(InstanceId);
        }

        var instance = found.Value;
        if (instance.Status != WorkflowRuntimeStatus.Running)
        {
            Logger.LogInformation("Event {EventName} for {Status} workflow instance {InstanceId} ignored", request.Name, instance.Status, InstanceId);
            return;
        }

        instance.History.Add(new EventRaisedEvent(Now, request.Name, request.Payload));
        await AdvanceAsync(instance, instance.History.Count - 1);
    }

    public async Task TerminateWorkflowAsync(TerminateWorkflowRequest request)
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue)
        {
            throw new WorkflowNotFoundException(InstanceId);
        }

        var instance = found.Value;
        if (instance.Status != WorkflowRuntimeStatus.Running)
        {
            return;
        }

        await UnregisterPendingAsync(instance);
        instance.History.Add(new WorkflowTerminatedEvent(Now, request.Output));
        instance.Status = WorkflowRuntimeStatus.Terminated;
        await SaveAsync(instance);
    }

    public async Task<bool> PurgeWorkflowAsync()
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue)
        {
            return false;
        }

        if (found.Value.Status == WorkflowRuntimeStatus.Running)
        {
            throw new InvalidOperationException($"Instance '{InstanceId}' is still running; terminate it before purging.");
        }

        await StateManager.RemoveStateAsync(StateKey);
        await StateManager.SaveStateAsync();
        await _catalog.ForgetAsync(_app.AppId, InstanceId);
        return true;
    }

    public async Task CompleteActivityAsync(ActivityResult result)
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue || found.Value.Status != WorkflowRuntimeStatus.Running)
        {
            return;
        }

        var instance = found.Value;
        var scheduled = instance.FindActivity(result.Seq);
        var expectedAttempt = instance.FailedAttempts(result.Seq) + 1;
        if (scheduled is null || instance.HasOutcome(result.Seq) || result.Attempt != expectedAttempt)
        {
            return; // a duplicate or stale report: the first result for an attempt wins
        }

        var now = Now;
        if (result.Failure is null)
        {
            instance.History.Add(new ActivityCompletedEvent(now, result.Seq, result.Output));
        }
        else if (scheduled.Retry is { } retry && CanRetry(retry, scheduled.Timestamp, result.Attempt, now, out var delay))
        {
            // From its first failure on, a retried activity has its own reminder: the retry timer, then its watchdog.
            instance.History.Add(new ActivityFailedEvent(now, result.Seq, result.Attempt, result.Failure, Final: false));
            await RegisterReminderAsync(ReminderNames.Activity(result.Seq), null, delay, Timeout.InfiniteTimeSpan);
            await SaveAsync(instance);
            return;
        }
        else
        {
            instance.History.Add(new ActivityFailedEvent(now, result.Seq, result.Attempt, result.Failure, Final: true));
        }

        if (result.Attempt > 1)
        {
            await UnregisterReminderAsync(ReminderNames.Activity(result.Seq));
        }

        await AdvanceAsync(instance, instance.History.Count - 1);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        var found = await StateManager.TryGetStateAsync<WorkflowInstance>(StateKey);
        if (!found.HasValue || found.Value.Status != WorkflowRuntimeStatus.Running)
        {
            return;
        }

        var instance = found.Value;
        if (reminderName == ReminderNames.Watchdog)
        {
            // First attempts that nothing runs here any more (their process died) start again.
            instance.WatchdogArmed = false;
            var orphans = instance.FirstAttemptsOut().Where(a => !_runner.IsRunning(Host.ActorType, InstanceId, a.Seq)).ToList();
            await SaveAsync(instance);
            foreach (var activity in orphans)
            {
                _runner.Start(Host.ActorType, InstanceId, activity, attempt: 1);
            }

            return;
        }

        if (!ReminderNames.TryParse(reminderName, out var isTimer, out var seq))
        {
            return;
        }

        if (isTimer)
        {
            if (instance.TimerPending(seq))
            {
                instance.History.Add(new TimerFiredEvent(Now, seq));
                await AdvanceAsync(instance, instance.History.Count - 1);
            }

            return;
        }

        // A retried activity's own reminder: first its retry timer, then the watchdog of that attempt.
        if (instance.FindActivity(seq) is not { } retried || instance.HasOutcome(seq))
        {
            return;
        }

        await RegisterReminderAsync(reminderName, null, _options.ActivityLease, Timeout.InfiniteTimeSpan);
        await StateManager.SaveStateAsync();
        if (!_runner.IsRunning(Host.ActorType, InstanceId, seq))
        {
            _runner.Start(Host.ActorType, InstanceId, retried, instance.FailedAttempts(seq) + 1);
        }
    }

    private async Task AdvanceAsync(WorkflowInstance instance, int newEventsFrom)
    {
        var workflow = (IWorkflow)ActivatorUtilities.CreateInstance(_services, _app.Workflow(instance.Name));
        var result = new WorkflowReplay(InstanceId, instance, newEventsFrom, workflow, Host.LoggerFactory).Run();
        instance.CustomStatus = result.CustomStatus;
        foreach (var timer in result.AbandonedTimers)
        {
            await UnregisterReminderAsync(ReminderNames.Timer(timer));
        }

        var now = Now;
        var toStart = new List<ActivityScheduledEvent>();
        switch (result.Outcome)
        {
            case ReplayOutcome.Completed:
                await UnregisterPendingAsync(instance);
                instance.History.Add(new WorkflowCompletedEvent(now, result.Output));
                instance.Status = WorkflowRuntimeStatus.Completed;
                break;
            case ReplayOutcome.Failed:
                await UnregisterPendingAsync(instance);
                instance.History.Add(new WorkflowFailedEvent(now, result.Failure!));
                instance.Status = WorkflowRuntimeStatus.Failed;
                Logger.LogWarning("Workflow {Workflow} instance {InstanceId} failed: {Error}", instance.Name, InstanceId, result.Failure!.ErrorMessage);
                break;
            default:
                foreach (var command in result.NewCommands)
                {
                    switch (command)
                    {
                        case ScheduleActivityCommand activity:
                            var scheduled = new ActivityScheduledEvent(now, activity.Seq, activity.Name, activity.Input, activity.Retry);
                            instance.History.Add(scheduled);
                            toStart.Add(scheduled);
                            break;
                        case CreateTimerCommand timer:
                            instance.History.Add(new TimerCreatedEvent(now, timer.Seq, timer.FireAt));
                            await RegisterReminderAsync(ReminderNames.Timer(timer.Seq), null, timer.FireAt - now, Timeout.InfiniteTimeSpan);
                            break;
                    }
                }

                break;
        }

        await SaveAsync(instance);
        foreach (var activity in toStart)
        {
            _runner.Start(Host.ActorType, InstanceId, activity, attempt: 1);
        }
    }

    /// <summary>Saves the instance, arming the watchdog while first attempts are out and disarming it after.</summary>
    private async Task SaveAsync(WorkflowInstance instance)
    {
        var needed = instance.Status == WorkflowRuntimeStatus.Running && instance.FirstAttemptsOut().Any();
        if (needed && !instance.WatchdogArmed)
        {
            await RegisterReminderAsync(ReminderNames.Watchdog, null, _options.ActivityLease, Timeout.InfiniteTimeSpan);
            instance.WatchdogArmed = true;
        }
        else if (!needed && instance.WatchdogArmed)
        {
            await UnregisterReminderAsync(ReminderNames.Watchdog);
            instance.WatchdogArmed = false;
        }

        instance.LastUpdatedAt = Now;
        // The catalogue is written only when what it shows changes, after the instance itself is committed.
        var listed = $"{instance.Status}|{instance.CustomStatus?.GetRawText()}";
        var relist = instance.Listed != listed;
        instance.Listed = listed;
        await StateManager.SetStateAsync(StateKey, instance);
        await StateManager.SaveStateAsync();
        if (relist)
        {
            await _catalog.RecordAsync(_app.AppId, InstanceId, instance);
        }
    }

    private async Task UnregisterPendingAsync(WorkflowInstance instance)
    {
        foreach (var reminder in instance.PendingReminders())
        {
            await UnregisterReminderAsync(reminder);
        }

        instance.WatchdogArmed = false;
    }

    private static bool CanRetry(WorkflowRetryPolicy retry, DateTime firstScheduled, int attempt, DateTime now, out TimeSpan delay)
    {
        delay = retry.DelayBefore(attempt + 1);
        return attempt < retry.MaxNumberOfAttempts && (retry.RetryTimeout is not { } limit || now + delay - firstScheduled <= limit);
    }
}
