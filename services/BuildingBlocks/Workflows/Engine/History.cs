using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>One record of an instance's append-only history (DESIGN.md, appendix A).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(WorkflowStartedEvent), "started")]
[JsonDerivedType(typeof(ActivityScheduledEvent), "activityScheduled")]
[JsonDerivedType(typeof(ActivityCompletedEvent), "activityCompleted")]
[JsonDerivedType(typeof(ActivityFailedEvent), "activityFailed")]
[JsonDerivedType(typeof(TimerCreatedEvent), "timerCreated")]
[JsonDerivedType(typeof(TimerFiredEvent), "timerFired")]
[JsonDerivedType(typeof(EventRaisedEvent), "eventRaised")]
[JsonDerivedType(typeof(WorkflowCompletedEvent), "completed")]
[JsonDerivedType(typeof(WorkflowFailedEvent), "failed")]
[JsonDerivedType(typeof(WorkflowTerminatedEvent), "terminated")]
internal abstract record HistoryEvent(DateTime Timestamp);

internal sealed record WorkflowStartedEvent(DateTime Timestamp, string Name, JsonElement? Input) : HistoryEvent(Timestamp);

internal sealed record ActivityScheduledEvent(DateTime Timestamp, int Seq, string Name, JsonElement? Input, WorkflowRetryPolicy? Retry) : HistoryEvent(Timestamp);

internal sealed record ActivityCompletedEvent(DateTime Timestamp, int Seq, JsonElement? Output) : HistoryEvent(Timestamp);

/// <summary>An attempt failed; <paramref name="Final"/> when no retry follows and the workflow sees the failure.</summary>
internal sealed record ActivityFailedEvent(DateTime Timestamp, int Seq, int Attempt, WorkflowFailureDetails Failure, bool Final) : HistoryEvent(Timestamp);

internal sealed record TimerCreatedEvent(DateTime Timestamp, int Seq, DateTime FireAt) : HistoryEvent(Timestamp);

internal sealed record TimerFiredEvent(DateTime Timestamp, int Seq) : HistoryEvent(Timestamp);

internal sealed record EventRaisedEvent(DateTime Timestamp, string Name, JsonElement? Payload) : HistoryEvent(Timestamp);

internal sealed record WorkflowCompletedEvent(DateTime Timestamp, JsonElement? Output) : HistoryEvent(Timestamp);

internal sealed record WorkflowFailedEvent(DateTime Timestamp, WorkflowFailureDetails Failure) : HistoryEvent(Timestamp);

internal sealed record WorkflowTerminatedEvent(DateTime Timestamp, JsonElement? Output) : HistoryEvent(Timestamp);

/// <summary>The workflow actor's whole state: one record, rewritten at the end of every step.</summary>
internal sealed class WorkflowInstance
{
    public required string Name { get; init; }
    public WorkflowRuntimeStatus Status { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime LastUpdatedAt { get; set; }
    public JsonElement? CustomStatus { get; set; }

    /// <summary>The status and custom status last written to the workflow catalogue.</summary>
    public string? Listed { get; set; }

    /// <summary>Whether the instance's watchdog reminder is registered (it is while a first attempt is out).</summary>
    public bool WatchdogArmed { get; set; }

    public List<HistoryEvent> History { get; init; } = [];

    public ActivityScheduledEvent? FindActivity(int seq) =>
        History.OfType<ActivityScheduledEvent>().FirstOrDefault(e => e.Seq == seq);

    public bool HasOutcome(int seq) =>
        History.Any(e => e is ActivityCompletedEvent c && c.Seq == seq || e is ActivityFailedEvent { Final: true } f && f.Seq == seq);

    public int FailedAttempts(int seq) => History.Count(e => e is ActivityFailedEvent f && f.Seq == seq);

    public bool TimerPending(int seq) =>
        History.Any(e => e is TimerCreatedEvent t && t.Seq == seq) && !History.Any(e => e is TimerFiredEvent f && f.Seq == seq);

    /// <summary>Activities whose first attempt has no outcome yet: the watchdog's charge.</summary>
    public IEnumerable<ActivityScheduledEvent> FirstAttemptsOut() =>
        History.OfType<ActivityScheduledEvent>().Where(a => !HasOutcome(a.Seq) && FailedAttempts(a.Seq) == 0);

    /// <summary>The reminders a running instance may still have: the watchdog, retried activities, unfired timers.</summary>
    public IEnumerable<string> PendingReminders()
    {
        if (WatchdogArmed)
        {
            yield return ReminderNames.Watchdog;
        }

        foreach (var e in History)
        {
            if (e is ActivityScheduledEvent a && !HasOutcome(a.Seq) && FailedAttempts(a.Seq) > 0)
            {
                yield return ReminderNames.Activity(a.Seq);
            }
            else if (e is TimerCreatedEvent t && TimerPending(t.Seq))
            {
                yield return ReminderNames.Timer(t.Seq);
            }
        }
    }

    public WorkflowState ToState(string instanceId, bool includeInputsAndOutputs)
    {
        var started = (WorkflowStartedEvent)History[0];
        var last = History[^1];
        return new WorkflowState
        {
            Exists = true,
            InstanceId = instanceId,
            Name = Name,
            RuntimeStatus = Status,
            CreatedAt = CreatedAt,
            LastUpdatedAt = LastUpdatedAt,
            CustomStatus = CustomStatus,
            Input = includeInputsAndOutputs ? started.Input : null,
            Output = includeInputsAndOutputs
                ? last switch
                {
                    WorkflowCompletedEvent c => c.Output,
                    WorkflowTerminatedEvent t => t.Output,
                    _ => null,
                }
                : null,
            FailureDetails = (last as WorkflowFailedEvent)?.Failure,
        };
    }
}

internal static class ReminderNames
{
    /// <summary>One per instance while first attempts are out: restarts those whose process died.</summary>
    public const string Watchdog = "watchdog";

    private const string ActivityPrefix = "activity-";
    private const string TimerPrefix = "timer-";

    public static string Activity(int seq) => ActivityPrefix + seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Timer(int seq) => TimerPrefix + seq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string name, out bool isTimer, out int seq)
    {
        isTimer = name.StartsWith(TimerPrefix, StringComparison.Ordinal);
        var prefix = isTimer ? TimerPrefix : name.StartsWith(ActivityPrefix, StringComparison.Ordinal) ? ActivityPrefix : null;
        seq = -1;
        return prefix is not null && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out seq);
    }
}
