using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>
/// Actor state and reminders in PostgreSQL. A turn's commit is one batch, which PostgreSQL runs as one
/// implicit transaction: the state changes and the reminder changes of a turn land together or not at all.
/// Turns of different actors that commit at the same moment share a batch (group commit): one round trip
/// and one WAL flush for many turns, so an on-sale burst is not limited by commits per second. Turns of
/// one actor never share a batch, because a turn waits for its commit before the next turn starts.
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

    private async Task CommitAsync(List<PendingCommit> batch)
    {
        await using var npgsqlBatch = _dataSource.CreateBatch();
        DateTimeOffset? earliest = null;
        foreach (var commit in batch)
        {
            AddState(npgsqlBatch, commit);
            earliest = AddReminders(npgsqlBatch, commit, earliest);
        }

        await npgsqlBatch.ExecuteNonQueryAsync();
        if (earliest is { } due)
        {
            _reminders.OnRegistered(due);
        }
    }

    private static void AddState(NpgsqlBatch batch, PendingCommit commit)
    {
        foreach (var change in commit.State)
        {
            var command = change.IsRemove
                ? new NpgsqlBatchCommand("delete from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = $3")
                : new NpgsqlBatchCommand("""
                    insert into runtime.actor_state (actor_type, actor_id, key, value) values ($1, $2, $3, $4)
                    on conflict (actor_type, actor_id, key) do update set value = excluded.value
                    """);
            command.Parameters.Add(new NpgsqlParameter { Value = commit.ActorType });
            command.Parameters.Add(new NpgsqlParameter { Value = commit.ActorId });
            command.Parameters.Add(new NpgsqlParameter { Value = change.Key });
            if (!change.IsRemove)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = change.Value! });
            }

            batch.BatchCommands.Add(command);
        }
    }

    private static DateTimeOffset? AddReminders(NpgsqlBatch batch, PendingCommit commit, DateTimeOffset? earliest)
    {
        foreach (var change in commit.Reminders)
        {
            var command = change.Remove
                ? new NpgsqlBatchCommand("delete from runtime.actor_reminders where actor_type = $1 and actor_id = $2 and name = $3")
                : new NpgsqlBatchCommand("""
                    insert into runtime.actor_reminders (actor_type, actor_id, name, due_at, period_ms, data, generation, failures)
                    values ($1, $2, $3, $4, $5, $6, nextval('runtime.reminder_generation'), 0)
                    on conflict (actor_type, actor_id, name) do update set due_at = excluded.due_at, period_ms = excluded.period_ms,
                        data = excluded.data, generation = excluded.generation, failures = 0
                    """);
            command.Parameters.Add(new NpgsqlParameter { Value = commit.ActorType });
            command.Parameters.Add(new NpgsqlParameter { Value = commit.ActorId });
            command.Parameters.Add(new NpgsqlParameter { Value = change.Name });
            if (!change.Remove)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = change.DueAt });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = change.Period is { } p ? (long)p.TotalMilliseconds : DBNull.Value });
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)change.Data ?? DBNull.Value });
                earliest = earliest is { } e && e < change.DueAt ? e : change.DueAt;
            }

            batch.BatchCommands.Add(command);
        }

        return earliest;
    }
}
