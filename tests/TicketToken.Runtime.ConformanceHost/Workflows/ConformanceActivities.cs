using System.Globalization;
using TicketToken.BuildingBlocks.Workflows;

namespace TicketToken.Runtime.ConformanceHost.Workflows;

/// <summary>Records its effect once per (instance, step), and every execution separately.</summary>
public sealed class RecordStep(ConformanceDb db) : WorkflowActivity<StepInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, StepInput input)
    {
        await db.ExecuteAsync("insert into conformance.step_executions (instance_id, step, attempt) values ($1, $2, $3)", context.InstanceId, input.Step, context.Attempt);
        await db.ExecuteAsync("insert into conformance.step_effects (instance_id, step) values ($1, $2) on conflict do nothing", context.InstanceId, input.Step);
        await Task.Delay(Random.Shared.Next(1, 15)); // results of parallel steps arrive out of order
        return $"{input.Prefix}-{input.Step}";
    }
}

/// <summary>Fails until its attempt number exceeds the input, then returns the attempt that succeeded.</summary>
public sealed class Flaky(ConformanceDb db) : WorkflowActivity<int, int>
{
    public override async Task<int> RunAsync(WorkflowActivityContext context, int failuresBeforeSuccess)
    {
        await db.ExecuteAsync("insert into conformance.step_executions (instance_id, step, attempt) values ($1, $2, $3)", context.InstanceId, context.TaskSequence, context.Attempt);
        return context.Attempt <= failuresBeforeSuccess
            ? throw new TimeoutException($"attempt {context.Attempt.ToString(CultureInfo.InvariantCulture)} failed")
            : context.Attempt;
    }
}

public sealed class Compensate(ConformanceDb db) : WorkflowActivity<string, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, string reason)
    {
        await db.ExecuteAsync("insert into conformance.step_effects (instance_id, step) values ($1, -1) on conflict do nothing", context.InstanceId);
        return "compensated";
    }
}

public sealed class Echo : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input) => Task.FromResult(input);
}

/// <summary>The first execution for an instance marks itself and then hangs (the test kills the host); later ones complete.</summary>
public sealed class CrashOnce(ConformanceDb db) : WorkflowActivity<StepInput, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, StepInput input)
    {
        await db.ExecuteAsync("insert into conformance.step_executions (instance_id, step, attempt) values ($1, $2, $3)", context.InstanceId, input.Step, context.Attempt);
        var first = await db.ExecuteAsync("insert into conformance.crash_markers (key) values ($1) on conflict do nothing", context.IdempotencyKey) == 1;
        if (first)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }

        await db.ExecuteAsync("insert into conformance.step_effects (instance_id, step) values ($1, $2) on conflict do nothing", context.InstanceId, input.Step);
        return $"{input.Prefix}-{input.Step}";
    }
}
