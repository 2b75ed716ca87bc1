using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>
/// Actor state and reminders in PostgreSQL. A turn's commit is one batch, which PostgreSQL runs as one
/// implicit transaction: the state changes and the reminder changes of a turn land together or not at all.
/// Turns of different actors that commit at the same moment share a batch (group commit): one round trip,
/// a few set-based statements and one WAL flush for many turns, so an on-sale burst is not limited by
/// commits per second.
/// </summary>
internal sealed class PostgresActorStateStore : IActorStateStore, IAsyncDisposable
{
    private const int MaxTurnsPerBatch = 128;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ReminderWakeup _reminders;
    private readonly Channel<PendingCommit> _commits = Channel.CreateUnbounded<PendingCommit>(new UnboundedChannelOptions { AllowSynchronousContinuations = false });
    private readonly Task[] _committers;

    public PostgresActorStateStore(NpgsqlDataSource dataSource, ReminderWakeup reminders)
    {
        _dataSource = dataSource;
        _reminders = reminders;
        _committers = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount)).Select(_ => Task.Run(CommitLoopAsync)).ToArray();
    }

    private sealed record PendingCommit(string ActorType, string ActorId, IReadOnlyList<ActorStateChange> State, IReadOnlyList<ActorReminderChange> Reminders)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("select value from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = actorType });
        command.Parameters.Add(new NpgsqlParameter { Value = actorId });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is byte[] json ? new ActorStateValue(true, json) : default;
    }

    public Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state,
        IReadOnlyList<ActorReminderChange> reminderChanges, CancellationToken cancellationToken)
    {
        var commit = new PendingCommit(actorType, actorId, state, reminderChanges);
        return _commits.Writer.TryWrite(commit) ? commit.Done.Task : throw new ObjectDisposedException(nameof(PostgresActorStateStore));
    }

    public async ValueTask DisposeAsync()
    {
        _commits.Writer.TryComplete();
        await Task.WhenAll(_committers);
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<PendingCommit>(MaxTurnsPerBatch);
        while (await _commits.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxTurnsPerBatch && _commits.Reader.TryRead(out var commit))
            {
                batch.Add(commit);
            }

            try
            {
                await CommitAsync(batch);
                foreach (var commit in batch)
                {
                    commit.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                foreach (var commit in batch)
                {
                    commit.Done.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// Writes the batch as at most four statements over arrays (state deletes, state upserts, reminder deletes,
    /// reminder upserts), in one implicit transaction: a statement per row cost PostgreSQL an executor start-up
    /// each, which at thousands of turns per second was a large share of its work. A key written by two turns of
    /// the batch keeps the later write, as if they had committed one after the other.
    /// </summary>
    private async Task CommitAsync(List<PendingCommit> batch)
    {
        var state = new Dictionary<(string Type, string Id, string Key), byte[]?>();
        var reminders = new Dictionary<(string Type, string Id, string Name), ActorReminderChange>();
        foreach (var commit in batch)
        {
            foreach (var change in commit.State)
            {
                state[(commit.ActorType, commit.ActorId, change.Key)] = change.IsRemove ? null : change.Value!;
            }

            foreach (var change in commit.Reminders)
            {
                reminders[(commit.ActorType, commit.ActorId, change.Name)] = change;
            }
        }

        await using var npgsqlBatch = _dataSource.CreateBatch();
        AddState(npgsqlBatch, state);
        var earliest = AddReminders(npgsqlBatch, reminders);
        if (npgsqlBatch.BatchCommands.Count == 0)
        {
            return;
        }

        await npgsqlBatch.ExecuteNonQueryAsync();
        if (earliest is { } due)
        {
            _reminders.OnRegistered(due);
        }
    }

    private static void AddState(NpgsqlBatch batch, Dictionary<(string Type, string Id, string Key), byte[]?> changes)
    {
        var removed = changes.Where(c => c.Value is null).Select(c => c.Key).ToList();
        if (removed.Count > 0)
        {
            var command = new NpgsqlBatchCommand("""
                delete from runtime.actor_state s using unnest($1::text[], $2::text[], $3::text[]) as d (actor_type, actor_id, key)
                where s.actor_type = d.actor_type and s.actor_id = d.actor_id and s.key = d.key
                """);
            AddKeys(command, removed, k => k.Type, k => k.Id, k => k.Key);
            batch.BatchCommands.Add(command);
        }

        var saved = changes.Where(c => c.Value is not null).ToList();
        if (saved.Count > 0)
        {
            var command = new NpgsqlBatchCommand("""
                insert into runtime.actor_state (actor_type, actor_id, key, value)
                select * from unnest($1::text[], $2::text[], $3::text[], $4::bytea[])
                on conflict (actor_type, actor_id, key) do update set value = excluded.value
                """);
            AddKeys(command, saved.Select(c => c.Key).ToList(), k => k.Type, k => k.Id, k => k.Key);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = saved.Select(c => c.Value!).ToArray() });
            batch.BatchCommands.Add(command);
        }
    }

    private static DateTimeOffset? AddReminders(NpgsqlBatch batch, Dictionary<(string Type, string Id, string Name), ActorReminderChange> changes)
    {
        var removed = changes.Where(c => c.Value.Remove).Select(c => c.Key).ToList();
        if (removed.Count > 0)
        {
            var command = new NpgsqlBatchCommand("""
                delete from runtime.actor_reminders r using unnest($1::text[], $2::text[], $3::text[]) as d (actor_type, actor_id, name)
                where r.actor_type = d.actor_type and r.actor_id = d.actor_id and r.name = d.name
                """);
            AddKeys(command, removed, k => k.Type, k => k.Id, k => k.Name);
            batch.BatchCommands.Add(command);
        }

        var registered = changes.Where(c => !c.Value.Remove).ToList();
        if (registered.Count == 0)
        {
            return null;
        }

        var register = new NpgsqlBatchCommand("""
            insert into runtime.actor_reminders (actor_type, actor_id, name, due_at, period_ms, data, generation, failures)
            select actor_type, actor_id, name, due_at, period_ms, data, nextval('runtime.reminder_generation'), 0
            from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bytea[]) as r (actor_type, actor_id, name, due_at, period_ms, data)
            on conflict (actor_type, actor_id, name) do update set due_at = excluded.due_at, period_ms = excluded.period_ms,
                data = excluded.data, generation = excluded.generation, failures = 0
            """);
        AddKeys(register, registered.Select(c => c.Key).ToList(), k => k.Type, k => k.Id, k => k.Name);
        register.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = registered.Select(c => c.Value.DueAt.ToUniversalTime()).ToArray() });
        register.Parameters.Add(new NpgsqlParameter
        {
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint,
            Value = registered.Select(c => c.Value.Period is { } p ? (long?)p.TotalMilliseconds : null).ToArray(),
        });
        register.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = registered.Select(c => c.Value.Data).ToArray() });
        batch.BatchCommands.Add(register);
        return registered.Min(c => c.Value.DueAt);
    }

    private static void AddKeys<TKey>(NpgsqlBatchCommand command, List<TKey> keys, Func<TKey, string> type, Func<TKey, string> id, Func<TKey, string> name)
    {
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = keys.Select(type).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = keys.Select(id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = keys.Select(name).ToArray() });
    }
}
