using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Workflows;

namespace TicketToken.Runtime.ConformanceHost.Workflows;

public sealed record ThreeStepInput(string Prefix, int Steps = 3);

public sealed record ThreeStepOutput(IReadOnlyList<string> Results);

public sealed record StepInput(string Prefix, int Step);

public static class RetryPolicies
{
    /// <summary>Enough attempts to ride out <see cref="Flaky"/>'s failures.</summary>
    public static readonly WorkflowRetryPolicy Patient = new(5, TimeSpan.FromMilliseconds(50), 2.0, TimeSpan.FromMilliseconds(400)) { Name = "patient" };

    /// <summary>Gives up before <see cref="Flaky"/> recovers.</summary>
    public static readonly WorkflowRetryPolicy Impatient = new(2, TimeSpan.FromMilliseconds(50)) { Name = "impatient" };
}

/// <summary>Three (or N) activities in sequence: the shape of most sagas.</summary>
public sealed class ThreeStepWorkflow : Workflow<ThreeStepInput, ThreeStepOutput>
{
    public override async Task<ThreeStepOutput> RunAsync(WorkflowContext context, ThreeStepInput input)
    {
        var results = new List<string>();
        for (var step = 1; step <= input.Steps; step++)
        {
            results.Add(await context.CallActivityAsync<string>(nameof(RecordStep), new StepInput(input.Prefix, step)));
        }

        return new ThreeStepOutput(results);
    }
}

public sealed record RetryInput(int FailuresBeforeSuccess, bool Patient);

/// <summary>An activity that fails a few times: retried by policy, or given up on and compensated.</summary>
public sealed class RetryWorkflow : Workflow<RetryInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, RetryInput input)
    {
        var policy = input.Patient ? RetryPolicies.Patient : RetryPolicies.Impatient;
        try
        {
            var attempts = await context.CallActivityAsync<int>(nameof(Flaky), input.FailuresBeforeSuccess, new WorkflowTaskOptions(policy));
            return $"succeeded after {attempts} attempt(s)";
        }
        catch (WorkflowTaskFailedException failure)
        {
            await context.CallActivityAsync(nameof(Compensate), failure.FailureDetails.ErrorMessage);
            return "compensated: " + failure.FailureDetails.ErrorType;
        }
    }
}

public sealed record ApprovalInput(int TimeoutMs, int DelayBeforeWaitMs = 0);

/// <summary>Waits for a human (an external event) with a deadline, like a purchase waits for its payment.</summary>
public sealed class ApprovalWorkflow : Workflow<ApprovalInput, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, ApprovalInput input)
    {
        if (input.DelayBeforeWaitMs > 0)
        {
            context.SetCustomStatus(new { stage = "not listening yet" });
            await context.CreateTimer(TimeSpan.FromMilliseconds(input.DelayBeforeWaitMs));
        }

        context.SetCustomStatus(new { stage = "waiting" });
        try
        {
            var approver = await context.WaitForExternalEventAsync<string>("approval", TimeSpan.FromMilliseconds(input.TimeoutMs));
            context.SetCustomStatus(new { stage = "approved" });
            return "approved by " + approver;
        }
        catch (TaskCanceledException)
        {
            context.SetCustomStatus(new { stage = "timed-out" });
            return "timed out";
        }
    }
}

/// <summary>A durable timer; returns how long the workflow's own clock says it slept.</summary>
public sealed class TimerWorkflow : Workflow<int, double>
{
    public override async Task<double> RunAsync(WorkflowContext context, int delayMs)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(delayMs));
        return (context.CurrentUtcDateTime - before).TotalMilliseconds;
    }
}

public sealed record DeterministicOutput(Guid Before, Guid After, Guid EchoedBefore, DateTime Started, DateTime AfterActivity);

/// <summary>Ids and time from the context are the same on every replay.</summary>
public sealed class DeterministicWorkflow : Workflow<string, DeterministicOutput>
{
    public override async Task<DeterministicOutput> RunAsync(WorkflowContext context, string input)
    {
        var logger = context.CreateReplaySafeLogger<DeterministicWorkflow>();
        var started = context.CurrentUtcDateTime;
        var before = context.NewGuid();
        logger.LogInformation("Deterministic workflow {InstanceId} generated {Guid}", context.InstanceId, before);
        var echoed = await context.CallActivityAsync<string>(nameof(Echo), before.ToString());
        var after = context.NewGuid();
        return new DeterministicOutput(before, after, Guid.Parse(echoed), started, context.CurrentUtcDateTime);
    }
}

/// <summary>Reads the wall clock directly: a replay asks for a different input than history recorded.</summary>
public sealed class WallClockWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        // Deliberately wrong: this workflow exists to be caught by replay.
        var stamp = DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.CallActivityAsync<string>(nameof(Echo), stamp);
        await context.CallActivityAsync<string>(nameof(Echo), stamp);
        return stamp;
    }
}

/// <summary>Five steps; step 3 hangs on its first run so a test can kill the host in the middle.</summary>
public sealed class CrashWorkflow : Workflow<ThreeStepInput, ThreeStepOutput>
{
    public override async Task<ThreeStepOutput> RunAsync(WorkflowContext context, ThreeStepInput input)
    {
        var results = new List<string>();
        for (var step = 1; step <= input.Steps; step++)
        {
            var activity = step == 3 ? nameof(CrashOnce) : nameof(RecordStep);
            results.Add(await context.CallActivityAsync<string>(activity, new StepInput(input.Prefix, step)));
        }

        return new ThreeStepOutput(results);
    }
}

/// <summary>Parallel activities joined with WhenAll, then one more: replay must line results up by task, not by order of arrival.</summary>
public sealed class FanOutWorkflow : Workflow<int, int>
{
    public override async Task<int> RunAsync(WorkflowContext context, int width)
    {
        var tasks = Enumerable.Range(1, width)
            .Select(i => context.CallActivityAsync<string>(nameof(RecordStep), new StepInput("fan-" + context.InstanceId, i)))
            .ToList();
        var results = await Task.WhenAll(tasks);
        await context.CallActivityAsync<string>(nameof(RecordStep), new StepInput("fan-" + context.InstanceId, width + 1));
        return results.Length;
    }
}
