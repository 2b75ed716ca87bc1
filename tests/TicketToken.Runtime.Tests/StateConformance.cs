using TicketToken.BuildingBlocks.State;

namespace TicketToken.Runtime.Tests;

public sealed record Seat(string Label, int Version);

/// <summary>The state building block, as every runtime must implement it.</summary>
public abstract class StateConformance(RuntimeFixture runtime)
{
    private const string Store = StateStores.Default;
    private readonly IStateClient _state = runtime.State;

    private static string Key() => "key-" + Guid.NewGuid().ToString("N");

    [RuntimeFact]
    public async Task Save_then_get_returns_the_value_and_an_etag()
    {
        var key = Key();
        await _state.SaveStateAsync(Store, key, new Seat("A1", 1));

        var (value, etag) = await _state.GetStateAndETagAsync<Seat>(Store, key);

        value.Should().Be(new Seat("A1", 1));
        etag.Should().NotBeNullOrEmpty();
    }

    [RuntimeFact]
    public async Task A_missing_key_reads_as_default_without_an_etag()
    {
        var (value, etag) = await _state.GetStateAndETagAsync<Seat>(Store, Key());

        value.Should().BeNull();
        etag.Should().BeNull();
    }

    [RuntimeFact]
    public async Task Concurrent_saves_with_the_same_etag_let_exactly_one_win()
    {
        var key = Key();
        await _state.SaveStateAsync(Store, key, new Seat("A1", 0));
        var (_, etag) = await _state.GetStateAndETagAsync<Seat>(Store, key);

        var attempts = Enumerable.Range(1, 20).Select(i => _state.TrySaveStateAsync(Store, key, new Seat("A1", i), etag!));
        var results = await Task.WhenAll(attempts);

        results.Count(won => won).Should().Be(1, "first write wins, every other writer holds a stale ETag");
        var winner = Array.IndexOf(results, true) + 1;
        (await _state.GetStateAsync<Seat>(Store, key)).Should().Be(new Seat("A1", winner));
    }

    [RuntimeFact]
    public async Task A_save_with_a_stale_etag_changes_nothing()
    {
        var key = Key();
        await _state.SaveStateAsync(Store, key, new Seat("A1", 1));
        var (_, stale) = await _state.GetStateAndETagAsync<Seat>(Store, key);
        await _state.SaveStateAsync(Store, key, new Seat("A1", 2));

        var saved = await _state.TrySaveStateAsync(Store, key, new Seat("A1", 3), stale!);

        saved.Should().BeFalse();
        (await _state.GetStateAsync<Seat>(Store, key)).Should().Be(new Seat("A1", 2));
    }

    [RuntimeFact]
    public async Task First_write_without_an_etag_only_inserts()
    {
        var key = Key();
        var firstWrite = new StateOptions(Concurrency.FirstWrite);
        await _state.SaveStateAsync(Store, key, new Seat("A1", 1), firstWrite);

        var second = () => _state.SaveStateAsync(Store, key, new Seat("A1", 2), firstWrite);

        await second.Should().ThrowAsync<ETagMismatchException>();
        (await _state.GetStateAsync<Seat>(Store, key)).Should().Be(new Seat("A1", 1));
    }

    [RuntimeFact]
    public async Task Delete_with_an_etag_needs_the_current_one()
    {
        var key = Key();
        await _state.SaveStateAsync(Store, key, new Seat("A1", 1));
        var (_, etag) = await _state.GetStateAndETagAsync<Seat>(Store, key);
        await _state.SaveStateAsync(Store, key, new Seat("A1", 2));
        var (_, current) = await _state.GetStateAndETagAsync<Seat>(Store, key);

        (await _state.TryDeleteStateAsync(Store, key, etag!)).Should().BeFalse();
        (await _state.TryDeleteStateAsync(Store, key, current!)).Should().BeTrue();
        (await _state.GetStateAsync<Seat>(Store, key)).Should().BeNull();
    }

    [RuntimeFact]
    public async Task A_value_with_a_ttl_disappears_when_it_expires()
    {
        var key = Key();
        await _state.SaveStateAsync(Store, key, new Seat("A1", 1), metadata: StateMetadata.Ttl(TimeSpan.FromSeconds(1)));
        (await _state.GetStateAsync<Seat>(Store, key)).Should().NotBeNull();

        await Task.Delay(TimeSpan.FromMilliseconds(1200));

        (await _state.GetStateAsync<Seat>(Store, key)).Should().BeNull();
        var (_, etag) = await _state.GetStateAndETagAsync<Seat>(Store, key);
        etag.Should().BeNull();
    }

    [RuntimeFact]
    public async Task A_transaction_applies_every_operation()
    {
        var (a, b, c) = (Key(), Key(), Key());
        await _state.SaveStateAsync(Store, c, new Seat("C", 1));

        await _state.ExecuteStateTransactionAsync(Store,
        [
            StateTransactionRequest.Upsert(a, new Seat("A", 1)),
            StateTransactionRequest.Upsert(b, new Seat("B", 1)),
            StateTransactionRequest.Delete(c),
        ]);

        (await _state.GetStateAsync<Seat>(Store, a)).Should().Be(new Seat("A", 1));
        (await _state.GetStateAsync<Seat>(Store, b)).Should().Be(new Seat("B", 1));
        (await _state.GetStateAsync<Seat>(Store, c)).Should().BeNull();
    }

    [RuntimeFact]
    public async Task A_transaction_with_one_stale_etag_applies_nothing()
    {
        var (a, b) = (Key(), Key());
        await _state.SaveStateAsync(Store, b, new Seat("B", 1));
        var (_, stale) = await _state.GetStateAndETagAsync<Seat>(Store, b);
        await _state.SaveStateAsync(Store, b, new Seat("B", 2));

        var transaction = () => _state.ExecuteStateTransactionAsync(Store,
        [
            StateTransactionRequest.Upsert(a, new Seat("A", 1)),
            StateTransactionRequest.Upsert(b, new Seat("B", 3), etag: stale),
        ]);

        await transaction.Should().ThrowAsync<StateException>();
        (await _state.GetStateAsync<Seat>(Store, a)).Should().BeNull("the transaction rolled back as a whole");
        (await _state.GetStateAsync<Seat>(Store, b)).Should().Be(new Seat("B", 2));
    }

    [RuntimeFact]
    public async Task Bulk_get_reports_found_and_missing_keys()
    {
        var (a, missing) = (Key(), Key());
        await _state.SaveStateAsync(Store, a, new Seat("A", 1));

        var items = await _state.GetBulkStateAsync<Seat>(Store, [a, missing]);

        items.Should().HaveCount(2);
        items.Single(i => i.Key == a).Should().Match<BulkStateItem<Seat>>(i => i.Found && i.Value == new Seat("A", 1) && i.ETag != null);
        items.Single(i => i.Key == missing).Found.Should().BeFalse();
    }

    [RuntimeFact]
    public async Task Apps_do_not_see_each_others_keys()
    {
        var key = Key();
        var peer = runtime.StateOf(TicketToken.Runtime.ConformanceHost.PeerModule.Id);
        await _state.SaveStateAsync(Store, key, new Seat("mine", 1));

        (await peer.GetStateAsync<Seat>(Store, key)).Should().BeNull("state keys are scoped to the app that wrote them");
        await peer.SaveStateAsync(Store, key, new Seat("theirs", 1));
        (await _state.GetStateAsync<Seat>(Store, key)).Should().Be(new Seat("mine", 1));
    }

    [RuntimeFact]
    public async Task Keys_with_the_reserved_separator_are_refused()
    {
        var save = () => _state.SaveStateAsync(Store, "a||b", new Seat("A", 1));

        await save.Should().ThrowAsync<ArgumentException>();
    }
}

public sealed class EmbeddedStateConformance(EmbeddedRuntimeFixture runtime) : StateConformance(runtime), IClassFixture<EmbeddedRuntimeFixture>;
