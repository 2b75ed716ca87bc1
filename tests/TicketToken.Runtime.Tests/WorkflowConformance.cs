using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Runtime.ConformanceHost.Workflows;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>The replay engine on actors: activities, retries, timers, events, determinism, management.</summary>
public abstract class WorkflowConformance(RuntimeFixture runtime)
{
    private readonly IWorkflowClient _workflows = runtime.Workflows;

    private static string NewId() => "wf-" + Guid.NewGuid().ToString("N");

    private async Task<WorkflowState> CompletedAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _workflows.WaitForWorkflowCompletionAsync(instanceId, cancellationToken: timeout.Token);
    }

    private Task<int> Effects(string instanceId) =>
        runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_effects where instance_id = $1", instanceId);

    private Task<int> Executions(string instanceId) =>
        runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_executions where instance_id = $1", instanceId);

    [RuntimeFact]
    public async Task A_three_activity_workflow_completes_with_its_results_in_order()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(ThreeStepWorkflow), NewId(), new ThreeStepInput("seat"));

        var state = await CompletedAsync(id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);
        state.ReadOutputAs<ThreeStepOutput>()!.Results.Should().Equal("seat-1", "seat-2", "seat-3");
        state.ReadInputAs<ThreeStepInput>().Should().Be(new ThreeStepInput("seat"));
        (await Effects(id)).Should().Be(3);
        (await Executions(id)).Should().Be(3, "nothing failed, so nothing ran twice");
    }

    [RuntimeFact]
    public async Task Starting_an_instance_id_again_changes_nothing()
    {
        var id = NewId();
        await _workflows.ScheduleNewWorkflowAsync(nameof(ThreeStepWorkflow), id, new ThreeStepInput("once"));
        await _workflows.ScheduleNewWorkflowAsync(nameof(ThreeStepWorkflow), id, new ThreeStepInput("twice"));

        var state = await CompletedAsync(id);

        state.ReadInputAs<ThreeStepInput>()!.Prefix.Should().Be("once");
        (await Executions(id)).Should().Be(3);
    }

    [RuntimeFact]
    public async Task Parallel_activities_joined_with_when_all_complete()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(FanOutWorkflow), NewId(), 8);

        var state = await CompletedAsync(id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);
        state.ReadOutputAs<int>().Should().Be(8);
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_effects where instance_id = $1", id)).Should().Be(9);
    }

    [RuntimeFact]
    public async Task A_retry_policy_retries_a_failing_activity_until_it_succeeds()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), NewId(), new RetryInput(FailuresBeforeSuccess: 2, Patient: true));

        var state = await CompletedAsync(id);

        state.ReadOutputAs<string>().Should().Be("succeeded after 3 attempt(s)");
        (await Executions(id)).Should().Be(3);
    }

    [RuntimeFact]
    public async Task An_activity_out_of_attempts_surfaces_as_an_exception_the_workflow_compensates()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), NewId(), new RetryInput(FailuresBeforeSuccess: 5, Patient: false));

        var state = await CompletedAsync(id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Completed);
        state.ReadOutputAs<string>().Should().Be("compensated: " + typeof(TimeoutException).FullName);
        (await Executions(id)).Should().Be(2, "the impatient policy allows two attempts");
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_effects where instance_id = $1 and step = -1", id)).Should().Be(1);
    }

    [RuntimeFact]
    public async Task An_external_event_ends_the_wait_and_custom_status_follows_along()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), NewId(), new ApprovalInput(TimeoutMs: 30_000));
        (await _workflows.GetWorkflowStateAsync(id)).ReadCustomStatusAs<Stage>()!.stage.Should().Be("waiting");

        await _workflows.RaiseEventAsync(id, "approval", "alice");
        var state = await CompletedAsync(id);

        state.ReadOutputAs<string>().Should().Be("approved by alice");
        state.ReadCustomStatusAs<Stage>()!.stage.Should().Be("approved");
    }

    [RuntimeFact]
    public async Task An_event_raised_before_the_workflow_waits_is_kept_for_the_wait()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), NewId(), new ApprovalInput(TimeoutMs: 30_000, DelayBeforeWaitMs: 400));
        (await _workflows.GetWorkflowStateAsync(id)).ReadCustomStatusAs<Stage>()!.stage.Should().Be("not listening yet");

        await _workflows.RaiseEventAsync(id, "approval", "early bird");
        var state = await CompletedAsync(id);

        state.ReadOutputAs<string>().Should().Be("approved by early bird");
    }

    [RuntimeFact]
    public async Task A_wait_with_a_timeout_gives_up_when_no_event_comes()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), NewId(), new ApprovalInput(TimeoutMs: 300));

        var state = await CompletedAsync(id);

        state.ReadOutputAs<string>().Should().Be("timed out");
        state.ReadCustomStatusAs<Stage>()!.stage.Should().Be("timed-out");
        await _workflows.RaiseEventAsync(id, "approval", "too late");
        (await _workflows.GetWorkflowStateAsync(id)).ReadOutputAs<string>().Should().Be("timed out", "a finished instance ignores events");
    }

    [RuntimeFact]
    public async Task A_durable_timer_fires_after_its_delay()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(TimerWorkflow), NewId(), 500);

        var state = await CompletedAsync(id);

        state.ReadOutputAs<double>().Should().BeGreaterThanOrEqualTo(500);
    }

    [RuntimeFact]
    public async Task Time_and_ids_from_the_context_are_the_same_on_every_replay()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(DeterministicWorkflow), NewId(), "x");

        var output = (await CompletedAsync(id)).ReadOutputAs<DeterministicOutput>()!;

        output.EchoedBefore.Should().Be(output.Before, "the replay after the activity regenerated the same id the activity received");
        output.After.Should().NotBe(output.Before);
        output.AfterActivity.Should().BeOnOrAfter(output.Started);
    }

    [RuntimeFact]
    public async Task A_workflow_that_reads_the_wall_clock_is_caught_as_non_deterministic()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(WallClockWorkflow), NewId(), "x");

        var state = await CompletedAsync(id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Failed);
        state.FailureDetails!.IsCausedBy<NonDeterministicWorkflowException>().Should().BeTrue();
        state.FailureDetails.ErrorMessage.Should().Contain("not deterministic");
    }

    [RuntimeFact]
    public async Task Terminate_stops_a_waiting_instance_and_purge_deletes_it()
    {
        var id = await _workflows.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), NewId(), new ApprovalInput(TimeoutMs: 60_000));
        var purgeRunning = () => _workflows.PurgeInstanceAsync(id);
        await purgeRunning.Should().ThrowAsync<Exception>("a running instance cannot be purged");

        await _workflows.TerminateWorkflowAsync(id, "cancelled by test");
        var state = await CompletedAsync(id);

        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Terminated);
        state.ReadOutputAs<string>().Should().Be("cancelled by test");
        (await _workflows.PurgeInstanceAsync(id)).Should().BeTrue();
        (await _workflows.GetWorkflowStateAsync(id)).Exists.Should().BeFalse();
        (await _workflows.PurgeInstanceAsync(id)).Should().BeFalse();
    }

    [RuntimeFact]
    public async Task Unknown_workflows_and_instances_are_refused_clearly()
    {
        var unknownWorkflow = () => _workflows.ScheduleNewWorkflowAsync("NoSuchWorkflow", NewId());
        var unknownInstance = () => _workflows.RaiseEventAsync(NewId(), "approval");
        var badId = () => _workflows.ScheduleNewWorkflowAsync(nameof(ThreeStepWorkflow), "not/a valid id", new ThreeStepInput("x"));

        await unknownWorkflow.Should().ThrowAsync<ArgumentException>().WithMessage("*NoSuchWorkflow*");
        await unknownInstance.Should().ThrowAsync<WorkflowNotFoundException>();
        await badId.Should().ThrowAsync<ArgumentException>();
    }

    private sealed record Stage(string stage);
}

public sealed class EmbeddedWorkflowConformance(EmbeddedRuntimeFixture runtime) : WorkflowConformance(runtime), IClassFixture<EmbeddedRuntimeFixture>;
