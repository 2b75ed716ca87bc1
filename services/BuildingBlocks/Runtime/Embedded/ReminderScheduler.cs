using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Runtime.Embedded;

/// <summary>
/// Fires durable reminders as actor turns. It sleeps until the earliest due reminder (or until a
/// registration brings that earlier), so a reminder that came due while the process was down fires right
/// after start. A one-shot reminder whose callback fails is retried with backoff, because a lost
/// reminder would strand the workflow waiting on it; a periodic one simply continues its schedule.
/// </summary>
internal sealed class ReminderScheduler : BackgroundService
{
    private const int PageSize = 256;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ActorRuntime _actors;
    private readonly RuntimeReadiness _readiness;
    private readonly TimeProvider _time;
    private readonly EmbeddedRuntimeOptions _options;
    private readonly ILogger<ReminderScheduler> _logger;
    private readonly ReminderWakeup _wakeup;
    private readonly HashSet<(string Type, string Id, string Name)> _inFlight = [];

    /// <summary>
    /// Reminders fired and moved on (deleted or re-armed) lately, with the row as it was fired and when that finished: a
    /// read that began before the move still returns the old row, and must not fire it again once it left <see cref="_inFlight"/>.
    /// Guarded by <see cref="_inFlight"/>'s lock; an entry goes once a read that began after it has been handled.
    /// </summary>
    private readonly Dictionary<(string Type, string Id, string Name), (long Generation, DateTimeOffset DueAt, long MovedAt)> _moved = [];
    private readonly SemaphoreSlim _slots;

    public ReminderScheduler(NpgsqlDataSource dataSource, ActorRuntime actors, ReminderWakeup wakeup, RuntimeReadiness readiness, TimeProvider time,
        IOptions<EmbeddedRuntimeOptions> options, ILogger<ReminderScheduler> logger)
    {
        _wakeup = wakeup;
        _dataSource = dataSource;
        _actors = actors;
        _readiness = readiness;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.ReminderConcurrency);
    }

    private sealed record DueReminder(string ActorType, string ActorId, string Name, DateTimeOffset DueAt, long? PeriodMs, byte[]? Data, long Generation, int Failures);

    public override void Dispose()
    {
        _slots.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _readiness.WaitAsync(stoppingToken);
        var types = _actors.Registry.Types.Where(t => t.IsRemindable).Select(t => t.TypeName).ToArray();
        if (types.Length == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan sleep;
            try
            {
                sleep = await FireDueAsync(types, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Reading due reminders failed; retrying");
                sleep = _options.PollInterval;
            }

            try
            {
                await _wakeup.Signal.WaitAsync(sleep, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        for (var i = 0; i < _options.ReminderConcurrency; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task<TimeSpan> FireDueAsync(string[] types, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _wakeup.PlannedWake = DateTimeOffset.MinValue; // registrations during the read must wake us
        var readStarted = Stopwatch.GetTimestamp();
        var (page, nextDue) = await ReadDueAsync(types, now, cancellationToken);
        foreach (var reminder in page)
        {
            lock (_inFlight)
            {
                var key = (reminder.ActorType, reminder.ActorId, reminder.Name);
                if (_moved.TryGetValue(key, out var moved) && moved.Generation == reminder.Generation && moved.DueAt == reminder.DueAt)
                {
                    continue; // read before its firing moved it on: already fired
                }

                if (!_inFlight.Add(key))
                {
                    continue;
                }
            }

            await _slots.WaitAsync(cancellationToken);
            _ = FireAsync(reminder);
        }

        lock (_inFlight)
        {
            // Reads from now on began after these moves committed, so they no longer return the old rows.
            foreach (var key in _moved.Where(m => m.Value.MovedAt < readStarted).Select(m => m.Key).ToList())
            {
                _moved.Remove(key);
            }
        }

        var sleep = page.Count == PageSize ? TimeSpan.FromMilliseconds(50) : nextDue is { } due ? due - now : _options.PollInterval;
        if (sleep > _options.PollInterval)
        {
            sleep = _options.PollInterval;
        }

        if (sleep < TimeSpan.Zero)
        {
            sleep = TimeSpan.Zero;
        }

        _wakeup.PlannedWake = now + sleep;
        return sleep;
    }

    /// <summary>
    /// The reminders due by <paramref name="now"/> (a page of them) and when the next one after that is due: only the
    /// rows that fire are read, not a page of future ones on every wake-up (an on-sale keeps thousands of those).
    /// </summary>
    private async Task<(List<DueReminder> Due, DateTimeOffset? NextDue)> ReadDueAsync(string[] types, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            (select actor_type, actor_id, name, due_at, period_ms, data, generation, failures
             from runtime.actor_reminders where actor_type = any($1) and due_at <= $3 order by due_at limit $2)
            union all
            (select null, null, null, due_at, null, null, 0, 0
             from runtime.actor_reminders where actor_type = any($1) and due_at > $3 order by due_at limit 1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = types });
        command.Parameters.Add(new NpgsqlParameter { Value = PageSize });
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUniversalTime() });
        var due = new List<DueReminder>();
        DateTimeOffset? next = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(0))
            {
                next = reader.GetFieldValue<DateTimeOffset>(3);
                continue;
            }

            due.Add(new DueReminder(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5),
                reader.GetInt64(6), reader.GetInt32(7)));
        }

        return (due, next);
    }

    private async Task FireAsync(DueReminder reminder)
    {
        var moved = false;
        try
        {
            var period = reminder.PeriodMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan;
            var failed = false;
            try
            {
                await _actors.FireReminderAsync(reminder.ActorType, reminder.ActorId, reminder.Name, reminder.Data, TimeSpan.Zero, period, CancellationToken.None);
            }
            catch (Exception ex)
            {
                failed = true;
                _logger.LogWarning(ex, "Reminder {Reminder} of actor {ActorType}/{ActorId} failed", reminder.Name, reminder.ActorType, reminder.ActorId);
            }

            await AfterFiringAsync(reminder, failed, period);
            moved = true;
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Rescheduling reminder {Reminder} of actor {ActorType}/{ActorId} failed; it fires again", reminder.Name, reminder.ActorType, reminder.ActorId);
        }
        finally
        {
            lock (_inFlight)
            {
                var key = (reminder.ActorType, reminder.ActorId, reminder.Name);
                if (moved)
                {
                    _moved[key] = (reminder.Generation, reminder.DueAt, Stopwatch.GetTimestamp());
                }

                _inFlight.Remove(key);
            }

            _slots.Release();
            _wakeup.Signal.Notify();
        }
    }

    /// <summary>Moves the schedule on, unless the callback re-registered or removed the reminder (a new generation).</summary>
    private async Task AfterFiringAsync(DueReminder reminder, bool failed, TimeSpan period)
    {
        var now = _time.GetUtcNow();
        NpgsqlCommand command;
        if (period > TimeSpan.Zero)
        {
            command = _dataSource.CreateCommand("update runtime.actor_reminders set due_at = $5, failures = 0 where actor_type = $1 and actor_id = $2 and name = $3 and generation = $4");
            AddKey(command, reminder);
            command.Parameters.Add(new NpgsqlParameter { Value = now + period });
        }
        else if (!failed)
        {
            command = _dataSource.CreateCommand("delete from runtime.actor_reminders where actor_type = $1 and actor_id = $2 and name = $3 and generation = $4");
            AddKey(command, reminder);
        }
        else
        {
            var backoff = TimeSpan.FromMilliseconds(Math.Min(60_000, 500 * Math.Pow(2, Math.Min(reminder.Failures, 10))));
            command = _dataSource.CreateCommand("update runtime.actor_reminders set due_at = $5, failures = failures + 1 where actor_type = $1 and actor_id = $2 and name = $3 and generation = $4");
            AddKey(command, reminder);
            command.Parameters.Add(new NpgsqlParameter { Value = now + backoff });
        }

        await using (command)
        {
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static void AddKey(NpgsqlCommand command, DueReminder reminder)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = reminder.ActorType });
        command.Parameters.Add(new NpgsqlParameter { Value = reminder.ActorId });
        command.Parameters.Add(new NpgsqlParameter { Value = reminder.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = reminder.Generation });
    }
}

/// <summary>Lets a committed registration wake the reminder loop when it is due before the planned wake-up.</summary>
internal sealed class ReminderWakeup : IDisposable
{
    private long _plannedWakeTicks = long.MaxValue;

    public AsyncSignal Signal { get; } = new();

    public DateTimeOffset PlannedWake
    {
        set => Interlocked.Exchange(ref _plannedWakeTicks, value.UtcTicks);
    }

    public void OnRegistered(DateTimeOffset dueAt)
    {
        if (dueAt.UtcTicks < Interlocked.Read(ref _plannedWakeTicks))
        {
            Signal.Notify();
        }
    }

    public void Dispose() => Signal.Dispose();
}
