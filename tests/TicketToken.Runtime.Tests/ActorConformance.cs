using TicketToken.BuildingBlocks.Actors;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Runtime.ConformanceHost.Actors;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>Actors: turn-based concurrency, transactional state, reminders, timers, deactivation.</summary>
public abstract class ActorConformance(RuntimeFixture runtime)
{
    private T Proxy<T>(string actorType, string? id = null) where T : IActor =>
        runtime.Actors.CreateActorProxy<T>(new ActorId(id ?? Guid.NewGuid().ToString("N")), actorType);

    private Task<int> Fires(string actorId, string name) =>
        runtime.Database.ScalarAsync<int>("select count(*) from conformance.reminder_fires where actor_id = $1 and name = $2", actorId, name);

    [RuntimeFact]
    public async Task A_thousand_concurrent_increments_through_one_actor_lose_no_update()
    {
        var id = Guid.NewGuid().ToString("N");
        var counter = Proxy<ICounterActor>(nameof(CounterActor), id);

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(counter.IncrementAsync)));

        results.Should().OnlyHaveUniqueItems("each turn saw the previous turn's committed state");
        results.Max().Should().Be(1000);
        await Task.Delay(1500); // past the idle timeout: the next call activates afresh and reloads from the store
        (await Proxy<ICounterActor>(nameof(CounterActor), id).GetAsync()).Should().Be(1000);
    }

    [RuntimeFact]
    public async Task Turns_of_many_actors_committing_at_the_same_moment_all_persist()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid().ToString("N")).ToList();

        await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 5).Select(_ => Task.Run(() => Proxy<ICounterActor>(nameof(CounterActor), id).IncrementAsync()))));

        await Task.Delay(1500); // past the idle timeout: every count below is read back from the store
        var counts = await Task.WhenAll(ids.Select(id => Proxy<ICounterActor>(nameof(CounterActor), id).GetAsync()));
        counts.Should().AllBeEquivalentTo(5L);
    }

    [RuntimeFact]
    public async Task A_turn_that_throws_discards_its_state_changes()
    {
        var counter = Proxy<ICounterActor>(nameof(CounterActor));
        await counter.IncrementAsync();

        var failing = () => counter.IncrementThenFailAsync();

        (await failing.Should().ThrowAsync<ActorMethodInvocationException>()).Which.ErrorType.Should().Be(typeof(InvalidOperationException).FullName);
        (await counter.GetAsync()).Should().Be(1);
    }

    [RuntimeFact]
    public async Task Arguments_and_results_cross_the_proxy_as_json()
    {
        var counter = Proxy<ICounterActor>(nameof(CounterActor));

        (await counter.EchoAsync(long.MaxValue)).Should().Be(long.MaxValue);
        (await counter.AppendAsync(7)).Should().Equal(7);
        (await counter.AppendAsync(8)).Should().Equal(7, 8);
    }

    [RuntimeFact]
    public async Task Calling_an_actor_type_nobody_hosts_fails_clearly()
    {
        var ghost = Proxy<ICounterActor>("NoSuchActor");

        var call = () => ghost.GetAsync();

        await call.Should().ThrowAsync<ActorNotFoundException>().WithMessage("*NoSuchActor*");
    }

    [RuntimeFact]
    public async Task A_one_shot_reminder_fires_once()
    {
        var id = Guid.NewGuid().ToString("N");
        var actor = Proxy<IReminderActor>(nameof(ReminderActor), id);

        await actor.ScheduleAsync(new ReminderRequest(id, "once", DueMs: 100, PeriodMs: 0, Data: "payload"));

        await Eventually.TrueAsync(async () => await Fires(id, "once") == 1, "the reminder fired");
        await Task.Delay(800);
        (await Fires(id, "once")).Should().Be(1);
        (await runtime.Database.ScalarAsync<string>("select data from conformance.reminder_fires where actor_id = $1", id)).Should().Be("payload");
        (await actor.FiredAsync()).Should().Be(1, "the reminder's turn committed its state change");
    }

    [RuntimeFact]
    public async Task A_periodic_reminder_fires_until_it_is_unregistered()
    {
        var id = Guid.NewGuid().ToString("N");
        var actor = Proxy<IReminderActor>(nameof(ReminderActor), id);
        await actor.ScheduleAsync(new ReminderRequest(id, "tick", DueMs: 50, PeriodMs: 150, Data: null));

        await Eventually.TrueAsync(async () => await Fires(id, "tick") >= 3, "three periods passed");
        await actor.CancelAsync("tick");
        var afterCancel = await Fires(id, "tick");
        await Task.Delay(700);

        (await Fires(id, "tick")).Should().BeLessThanOrEqualTo(afterCancel + 1, "at most a fire already under way completes after unregistering");
    }

    [RuntimeFact]
    public async Task A_scheduled_job_runs_every_interval_from_the_start_of_the_host()
    {
        // Registered by the module (ModuleBuilder.AddScheduledJob) and put on its actor's reminder once the host runs.
        await Eventually.TrueAsync(async () => await Fires(TickJob.ActorType, TickJob.ActorId) >= 2, "the job ran twice");

        var runs = await runtime.Database.ScalarAsync<long>(
            "select count(distinct data) from conformance.reminder_fires where actor_id = $1 and name = $2", TickJob.ActorType, TickJob.ActorId);
        runs.Should().BeGreaterThanOrEqualTo(2, "each run is a run of its own, at its own time");
    }

    [RuntimeFact]
    public async Task Registering_a_reminder_again_replaces_it()
    {
        var id = Guid.NewGuid().ToString("N");
        var actor = Proxy<IReminderActor>(nameof(ReminderActor), id);
        await actor.ScheduleAsync(new ReminderRequest(id, "r", DueMs: 60_000, PeriodMs: 0, Data: "old"));

        await actor.ScheduleAsync(new ReminderRequest(id, "r", DueMs: 50, PeriodMs: 0, Data: "new"));

        await Eventually.TrueAsync(async () => await Fires(id, "r") == 1, "the replacement fired");
        (await runtime.Database.ScalarAsync<string>("select data from conformance.reminder_fires where actor_id = $1", id)).Should().Be("new");
    }

    [RuntimeFact]
    public async Task A_timer_fires_as_turns_until_it_is_unregistered()
    {
        var timer = Proxy<ITimerActor>(nameof(TimerActor));
        await timer.StartAsync(periodMs: 80);

        await Eventually.TrueAsync(async () => await timer.TicksAsync() >= 3, "three ticks");
        await timer.StopAsync();
        var stopped = await timer.TicksAsync();
        await Task.Delay(400);

        (await timer.TicksAsync()).Should().BeLessThanOrEqualTo(stopped + 1);
    }

    [RuntimeFact]
    public async Task An_idle_actor_is_deactivated_and_comes_back_with_its_state()
    {
        var id = Guid.NewGuid().ToString("N");
        var actor = Proxy<ILifecycleActor>(nameof(LifecycleActor), id);
        (await actor.TouchAsync()).Should().Be(1);

        await Eventually.TrueAsync(async () =>
            await runtime.Database.ScalarAsync<int>("select count(*) from conformance.lifecycle where actor_id = $1 and event = 'deactivate'", id) == 1,
            "the idle timeout deactivated the actor");

        (await actor.TouchAsync()).Should().Be(2, "state was reloaded from the store, not kept in memory");
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.lifecycle where actor_id = $1 and event = 'activate'", id)).Should().Be(2);
    }
}

public sealed class EmbeddedActorConformance(EmbeddedRuntimeFixture runtime) : ActorConformance(runtime), IClassFixture<EmbeddedRuntimeFixture>;
