using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.BuildingBlocks.Actors;

/// <summary>
/// Work a module runs every interval (payouts, reconciliation), registered with <c>ModuleBuilder.AddScheduledJob</c>.
/// Resolved from a fresh scope for each run. A run may overlap a slow previous one on another replica's clock, so it
/// must be safe to repeat.
/// </summary>
public interface IScheduledJob
{
    Task RunAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The actor behind one scheduled job: its durable reminder is the schedule.</summary>
public interface IScheduledJobActor : IActor
{
    /// <summary>Registers the reminder for this interval, unless it is already registered for it.</summary>
    Task ScheduleAsync(JobInterval interval);
}

public sealed record JobInterval(TimeSpan Every);

/// <summary>
/// A reminder, not a timer: it survives restarts and, in Dapr mode, fires on one replica only, so each period has one
/// run. One actor type per job (the type argument), one instance.
/// </summary>
public sealed class ScheduledJobActor<TJob>(ActorHost host, IServiceScopeFactory scopes) : Actor(host), IScheduledJobActor, IRemindable
    where TJob : class, IScheduledJob
{
    private const string IntervalKey = "interval";
    private const string RunReminder = "run";

    public async Task ScheduleAsync(JobInterval interval)
    {
        var current = await StateManager.TryGetStateAsync<TimeSpan>(IntervalKey);
        if (current.HasValue && current.Value == interval.Every)
        {
            return; // re-registering on every start would push the next run back by a whole interval each time
        }

        await StateManager.SetStateAsync(IntervalKey, interval.Every);
        await RegisterReminderAsync(RunReminder, null, interval.Every, interval.Every);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != RunReminder)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TJob>().RunAsync(Host.TimeProvider.GetUtcNow(), CancellationToken.None);
    }
}

/// <summary>Puts a job's interval on its actor once the host runs (actor calls need the runtime, in Dapr mode the sidecar).</summary>
internal sealed class JobScheduling<TJob>(IActorProxyFactory actors, IHostApplicationLifetime lifetime, ILogger<JobScheduling<TJob>> logger,
    ActorId instance, string actorType, TimeSpan interval) : BackgroundService
    where TJob : class, IScheduledJob
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var schedule = actors.CreateActorProxy<IScheduledJobActor>(instance, actorType);
        await Resilience.Forever(logger, $"Scheduling {actorType}").ExecuteAsync(
            async _ => await schedule.ScheduleAsync(new JobInterval(interval)), stoppingToken);
    }
}
