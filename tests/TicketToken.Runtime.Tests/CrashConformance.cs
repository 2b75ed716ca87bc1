using System.Net.Http.Json;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Runtime.ConformanceHost.Actors;
using TicketToken.Runtime.ConformanceHost.Workflows;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// Durability across a real crash: the conformance host runs as a child process, is killed with SIGKILL
/// mid-work, and a new process on the same database must finish the work, applying each effect once.
/// </summary>
public abstract class CrashConformance(RuntimeFixture runtime)
{
    [RuntimeFact]
    public async Task A_reminder_registered_before_the_process_is_killed_fires_after_restart()
    {
        var actorId = "crash-" + Guid.NewGuid().ToString("N");
        await using (var first = await runtime.StartChildAsync())
        {
            var registered = await first.Client.PostAsJsonAsync("conformance/reminders", new ReminderRequest(actorId, "after-crash", DueMs: 2_000, PeriodMs: 0, Data: "survived"));
            registered.EnsureSuccessStatusCode();
            await first.KillAsync();
        }

        (await Fires()).Should().Be(0, "the reminder was not due before the kill");
        await using var second = await runtime.StartChildAsync();
        await Eventually.TrueAsync(async () => await Fires() == 1, "the restarted host fired the reminder");
        await Task.Delay(500);
        (await Fires()).Should().Be(1);

        Task<int> Fires() => runtime.Database.ScalarAsync<int>("select count(*) from conformance.reminder_fires where actor_id = $1 and data = 'survived'", actorId);
    }

    [RuntimeFact]
    public async Task Events_published_but_not_yet_delivered_are_delivered_after_restart_exactly_once_per_handler()
    {
        const int count = 120;
        var first = 5_000_000 + Random.Shared.Next(1_000_000);
        // The first host handles about five events and then parks every further call, so the kill certainly lands mid-stream.
        await using (var parked = await runtime.StartChildAsync(new Dictionary<string, string>
        {
            ["Conformance__HandlerParkAfter"] = "5",
            ["TicketToken__Embedded__DeliveryConcurrency"] = "4",
        }))
        {
            var published = await parked.Client.PostAsJsonAsync("conformance/publish", new PublishRequest(Topics.Messages, first, count));
            published.EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () => await Received() >= 5, "five events were handled before the crash");
            await parked.KillAsync();
        }

        var beforeRestart = await Received();
        beforeRestart.Should().BeLessThan(count, "the first host parked every call after its fifth until it was killed");

        await using var restarted = await runtime.StartChildAsync();
        await Eventually.TrueAsync(async () => await Received() == count, "every event was handled after the restart");
        (await runtime.Database.ScalarAsync<int>(
            "select count(distinct number) from conformance.received where number between $1 and $2", first, first + count - 1)).Should().Be(count);
        await Eventually.TrueAsync(async () => await runtime.PendingDeliveriesAsync() == 0, "every delivery was acknowledged");

        Task<int> Received() => runtime.Database.ScalarAsync<int>(
            "select count(*) from conformance.received where number between $1 and $2", first, first + count - 1);
    }

    [RuntimeFact]
    public async Task A_workflow_killed_midway_resumes_and_applies_each_activity_once()
    {
        var instanceId = "crash-" + Guid.NewGuid().ToString("N");
        await using (var first = await runtime.StartChildAsync())
        {
            var started = await first.Client.PostAsJsonAsync($"conformance/workflows/{nameof(CrashWorkflow)}/{instanceId}", new ThreeStepInput("crash", Steps: 5));
            started.EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () =>
                await runtime.Database.ScalarAsync<int>("select count(*) from conformance.crash_markers where key = $1", instanceId + ":2") == 1,
                "step 3 started (and hangs)");
            await first.KillAsync();
        }

        (await Effects()).Should().Be(2, "steps 1 and 2 finished before the kill");
        await using var second = await runtime.StartChildAsync();
        await Eventually.TrueAsync(async () =>
        {
            var state = await second.Client.GetFromJsonAsync<WorkflowState>($"conformance/workflows/{instanceId}", BuildingBlocks.Serialization.RuntimeJson.Options);
            return state!.RuntimeStatus == WorkflowRuntimeStatus.Completed;
        }, "the restarted host finished the workflow");

        (await Effects()).Should().Be(5);
        foreach (var step in new[] { 1, 2, 4, 5 })
        {
            (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_executions where instance_id = $1 and step = $2", instanceId, step))
                .Should().Be(1, $"step {step} completed before or after the crash, never both");
        }

        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_executions where instance_id = $1 and step = 3", instanceId))
            .Should().Be(2, "the interrupted step ran again after the restart");

        Task<int> Effects() => runtime.Database.ScalarAsync<int>("select count(*) from conformance.step_effects where instance_id = $1", instanceId);
    }
}

public sealed class EmbeddedCrashConformance(EmbeddedChildProcessFixture runtime) : CrashConformance(runtime), IClassFixture<EmbeddedChildProcessFixture>;
