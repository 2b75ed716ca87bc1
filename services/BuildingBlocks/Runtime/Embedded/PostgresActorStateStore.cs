using System.Text;
using Npgsql;
using NpgsqlTypes;
using TicketToken.BuildingBlocks.Actors;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>
/// Actor state and reminders in PostgreSQL. A turn's commit is one batch, which PostgreSQL runs as one
/// implicit transaction: the state changes and the reminder changes of a turn land together or not at all.
/// </summary>
internal sealed class PostgresActorStateStore(NpgsqlDataSource dataSource, ReminderWakeup reminders) : IActorStateStore
{
    public async Task<ActorStateValue> LoadAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select value::text from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = actorType });
        command.Parameters.Add(new NpgsqlParameter { Value = actorId });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is string json ? new ActorStateValue(true, Encoding.UTF8.GetBytes(json)) : default;
    }

    public async Task SaveAsync(string actorType, string actorId, IReadOnlyList<ActorStateChange> state,
        IReadOnlyList<ActorReminderChange> reminderChanges, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var change in state)
        {
            var command = change.IsRemove
                ? new NpgsqlBatchCommand("delete from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = $3")
                : new NpgsqlBatchCommand("""
                    insert into runtime.actor_state (actor_type, actor_id, key, value) values ($1, $2, $3, $4)
                    on conflict (actor_type, actor_id, key) do update set value = excluded.value
                    """);
            command.Parameters.Add(new NpgsqlParameter { Value = actorType });
            command.Parameters.Add(new NpgsqlParameter { Value = actorId });
            command.Parameters.Add(new NpgsqlParameter { Value = change.Key });
            if (!change.IsRemove)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = Encoding.UTF8.GetString(change.Value!) });
            }

            batch.BatchCommands.Add(command);
        }

        DateTimeOffset? earliest = null;
        foreach (var change in reminderChanges)
        {
            var command = change.Remove
                ? new NpgsqlBatchCommand("delete from runtime.actor_reminders where actor_type = $1 and actor_id = $2 and name = $3")
                : new NpgsqlBatchCommand("""
                    insert into runtime.actor_reminders (actor_type, actor_id, name, due_at, period_ms, data, generation, failures)
                    values ($1, $2, $3, $4, $5, $6, nextval('runtime.reminder_generation'), 0)
                    on conflict (actor_type, actor_id, name) do update set due_at = excluded.due_at, period_ms = excluded.period_ms,
                        data = excluded.data, generation = excluded.generation, failures = 0
                    """);
            command.Parameters.Add(new NpgsqlParameter { Value = actorType });
            command.Parameters.Add(new NpgsqlParameter { Value = actorId });
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

        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (earliest is { } due)
        {
            reminders.OnRegistered(due);
        }
    }
}
