using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.State;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Runtime.ConformanceHost.Actors;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>What the embedded runtime promises beyond the conformance suite (its own decisions, its storage).</summary>
public sealed class EmbeddedRuntimeTests(EmbeddedRuntimeFixture runtime) : IClassFixture<EmbeddedRuntimeFixture>
{
    [Fact]
    public async Task Calls_to_one_actor_run_in_the_order_they_arrived()
    {
        var actor = runtime.Actors.CreateActorProxy<ICounterActor>(new ActorId(Guid.NewGuid().ToString("N")), nameof(CounterActor));

        // Issued back to back without awaiting: each call joins the actor's queue before the next is made.
        var calls = Enumerable.Range(0, 100).Select(actor.AppendAsync).ToList();
        await Task.WhenAll(calls);

        (await actor.AppendAsync(100)).Should().Equal(Enumerable.Range(0, 101));
    }

    [Fact]
    public async Task A_one_shot_reminder_whose_callback_fails_is_tried_again()
    {
        var id = Guid.NewGuid().ToString("N");
        var actor = runtime.Actors.CreateActorProxy<IReminderActor>(new ActorId(id), nameof(ReminderActor));

        await actor.ScheduleAsync(new ReminderRequest(id, "retry-me", DueMs: 50, PeriodMs: 0, Data: "fail-first"));

        await Eventually.TrueAsync(async () => await actor.FiredAsync() == 1, "the second delivery succeeded");
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.reminder_fires where actor_id = $1", id)).Should().Be(2);
        (await runtime.Database.ScalarAsync<int>("select count(*) from runtime.actor_reminders where actor_id = $1", id)).Should().Be(0, "a one-shot reminder is gone once it succeeded");
    }

    [Fact]
    public async Task State_keys_are_stored_with_their_app_prefix_as_dapr_does()
    {
        var key = "prefixed-" + Guid.NewGuid().ToString("N");
        await runtime.State.SaveStateAsync(StateStores.Default, key, 42);

        (await runtime.Database.ScalarAsync<int>("select count(*) from runtime.state where store = $1 and key = $2", StateStores.Default, $"{ConformanceModule.Id}||{key}"))
            .Should().Be(1);
    }
}
