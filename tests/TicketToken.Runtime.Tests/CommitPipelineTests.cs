using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.Runtime.ConformanceHost.Actors;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// An actor's turns run ahead of their commits, but nobody hears an answer before what it saw is durable
/// (<see cref="CommitPipeline"/>). The runtime here writes to the real PostgreSQL store through a gate the test
/// opens and closes, so "in flight" is something the test controls rather than a race it hopes for.
/// </summary>
public sealed class CommitPipelineTests(EmbeddedRuntimeFixture runtime) : IClassFixture<EmbeddedRuntimeFixture>, IAsyncLifetime
{
    private readonly GatedStore _store = new((IActorStateStore)runtime.Host.Services.GetRequiredService(typeof(IActorStateStore)));
    private ActorRuntime _actors = null!;

    public Task InitializeAsync()
    {
        _actors = ActivatorUtilities.CreateInstance<ActorRuntime>(runtime.Host.Services, _store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _store.Open();
        await _actors.DisposeAsync();
    }

    [Fact]
    public async Task Turns_run_while_a_commit_is_in_flight_and_are_answered_when_it_and_their_own_are_durable()
    {
        var id = Guid.NewGuid().ToString("N");
        _store.Close();

        var first = CallAsync<long>(id, nameof(ICounterActor.IncrementAsync));
        await _store.WaitForCommitsAsync(1);
        var read = CallAsync<long>(id, nameof(ICounterActor.GetAsync));
        var second = CallAsync<long>(id, nameof(ICounterActor.IncrementAsync));
        await Eventually.TrueAsync(() => Task.FromResult(_store.Waiting == 1 && ActorIdle(id)), "both later turns ran while the first commit waited");

        first.IsCompleted.Should().BeFalse("the first increment is not durable yet");
        read.IsCompleted.Should().BeFalse("the read saw the first increment, which is not durable yet");
        second.IsCompleted.Should().BeFalse();
        (await StoredCountAsync(id)).Should().BeNull();

        _store.Open();
        (await first).Should().Be(1);
        (await read).Should().Be(1);
        (await second).Should().Be(2);
        (await StoredCountAsync(id)).Should().Be(2);
        _store.Commits(id).Should().Be(2, "the turns queued behind the first commit share the next one");
    }

    [Fact]
    public async Task When_a_commit_fails_the_turns_behind_it_fail_and_the_actor_starts_again_from_the_store()
    {
        var id = Guid.NewGuid().ToString("N");
        (await CallAsync<long>(id, nameof(ICounterActor.IncrementAsync))).Should().Be(1);
        _store.Close();

        var failing = CallAsync<long>(id, nameof(ICounterActor.IncrementAsync));
        await _store.WaitForCommitsAsync(2);
        var behind = CallAsync<long>(id, nameof(ICounterActor.IncrementAsync));
        var read = CallAsync<long>(id, nameof(ICounterActor.GetAsync));
        await Eventually.TrueAsync(() => Task.FromResult(ActorIdle(id)), "the later turns ran while the commit waited");
        _store.FailNext();
        _store.Open();

        await FluentActions.Awaiting(() => failing).Should().ThrowAsync<ActorMethodInvocationException>();
        await FluentActions.Awaiting(() => behind).Should().ThrowAsync<ActorMethodInvocationException>("it built on the lost increment");
        await FluentActions.Awaiting(() => read).Should().ThrowAsync<ActorMethodInvocationException>("it read the lost increment");
        (await CallAsync<long>(id, nameof(ICounterActor.GetAsync))).Should().Be(1, "a fresh activation reads what was committed");
        (await CallAsync<long>(id, nameof(ICounterActor.IncrementAsync))).Should().Be(2);
        (await StoredCountAsync(id)).Should().Be(2);
    }

    [Fact]
    public async Task A_removed_key_stays_removed_for_later_turns_while_its_removal_is_in_flight()
    {
        var id = Guid.NewGuid().ToString("N");
        (await CallAsync<IReadOnlyList<int>>(id, nameof(ICounterActor.AppendAsync), 7)).Should().Equal(7);
        _store.Close();

        var cleared = CallAsync<bool>(id, nameof(ICounterActor.ClearLogAsync));
        await _store.WaitForCommitsAsync(2);
        var appended = CallAsync<IReadOnlyList<int>>(id, nameof(ICounterActor.AppendAsync), 8);
        _store.Open();

        (await cleared).Should().BeTrue();
        (await appended).Should().Equal([8], "the log was removed, even though the store still had it when this turn ran");
    }

    private async Task<T> CallAsync<T>(string id, string method, object? argument = null)
    {
        var payload = argument is null ? [] : RuntimeJson.Serialize(argument, argument.GetType());
        var result = await _actors.InvokeMethodAsync(nameof(CounterActor), id, method, payload, CancellationToken.None);
        return RuntimeJson.Deserialize<T>(result)!;
    }

    private bool ActorIdle(string id) => _actors.IsIdle(nameof(CounterActor), id);

    private Task<long?> StoredCountAsync(string id) =>
        runtime.Database.ScalarAsync<long?>("select convert_from(value, 'UTF8')::bigint from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = 'count'",
            nameof(CounterActor), id);

    /// <summary>The real store behind a gate: commits wait while it is closed, and the next one can be made to fail.</summary>
    private sealed class GatedStore(IActorStateStore inner) : IActorStateStore
    {
        private readonly object _lock = new();
        private readonly Dictionary<string, int> _commits = [];
        private TaskCompletionSource _gate = Opened();
        private int _started;
        private int _waiting;
        private bool _failNext;

        public int Waiting => Volatile.Read(ref _waiting);

        public void Close()
        {
            lock (_lock)
            {
                if (_gate.Task.IsCompleted)
                {
                    _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        public void Open()
        {
            lock (_lock)
            {
                _gate.TrySetResult();
            }
        }

        public void FailNext() => _failNext = true;

        public int Commits(string actorId)
        {
            lock (_lock)
            {
                return _commits.GetValueOrDefault(actorId);
            }
        }

        public Task WaitForCommitsAsync(int count) => Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref _started) >= count), $"{count} commit(s) reached the store");

        public Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken) =>
            inner.LoadAsync(actorType, actorId, key, cancellationToken);

        public async Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state, IReadOnlyList<ActorReminderChange> reminders, CancellationToken cancellationToken)
        {
            Task gate;
            lock (_lock)
            {
                _commits[actorId] = _commits.GetValueOrDefault(actorId) + 1;
                gate = _gate.Task;
            }

            Interlocked.Increment(ref _started);
            Interlocked.Increment(ref _waiting);
            await gate;
            Interlocked.Decrement(ref _waiting);
            if (_failNext)
            {
                _failNext = false;
                throw new InvalidOperationException("The store refused the commit (injected by the test).");
            }

            await inner.SaveAsync(actorType, actorId, state, reminders, cancellationToken);
        }

        private static TaskCompletionSource Opened()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.SetResult();
            return gate;
        }
    }
}
