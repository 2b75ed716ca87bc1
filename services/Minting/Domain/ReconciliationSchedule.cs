using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Platform;

namespace TicketToken.Minting.Domain;

/// <summary>The reconciliation schedule (internal to minting): one actor whose durable reminder runs a reconciliation every interval.</summary>
public interface IReconciliationScheduleActor : IActor
{
    Task ScheduleAsync(ReconciliationInterval interval);
}

public sealed record ReconciliationInterval(TimeSpan Every);

/// <summary>A reminder, not a timer: it survives restarts and, in Dapr mode, fires on one replica only.</summary>
public sealed class ReconciliationScheduleActor(ActorHost host, IServiceScopeFactory scopes) : Actor(host), IReconciliationScheduleActor, IRemindable
{
    public const string TypeName = "MintingReconciliation";
    public static readonly ActorId Instance = new("reconciliation");

    private const string IntervalKey = "interval";
    private const string RunReminder = "run";

    public async Task ScheduleAsync(ReconciliationInterval interval)
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
        var run = await scope.ServiceProvider.GetRequiredService<Reconciliation>().RunAsync(CancellationToken.None);
        Logger.LogInformation("Reconciliation checked {Checked} tickets: {InSync} in step, {Repaired} repaired, {Unrepairable} reported",
            run.Checked, run.InSync, run.Repaired, run.Unrepairable);
    }
}

/// <summary>Puts the configured interval on the schedule once the host runs (actor calls need the runtime, in Dapr mode the sidecar).</summary>
internal sealed class ReconciliationScheduling(IActorProxyFactory actors, IHostApplicationLifetime lifetime, IOptions<MintingOptions> options,
    ILogger<ReconciliationScheduling> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var schedule = actors.CreateActorProxy<IReconciliationScheduleActor>(ReconciliationScheduleActor.Instance, ReconciliationScheduleActor.TypeName);
        await Resilience.Forever(logger, "Scheduling minting reconciliation").ExecuteAsync(
            async _ => await schedule.ScheduleAsync(new ReconciliationInterval(options.Value.ReconciliationInterval)), stoppingToken);
    }
}
