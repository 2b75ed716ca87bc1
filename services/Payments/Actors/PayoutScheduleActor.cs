using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Platform;
using TicketToken.Payments.Domain;

namespace TicketToken.Payments.Actors;

/// <summary>The payout schedule (internal to payments): one actor whose durable reminder runs the organizers' and the resale sellers' payouts every interval.</summary>
public interface IPayoutScheduleActor : IActor
{
    /// <summary>Registers the reminder for this interval, unless it is already registered for it.</summary>
    Task ScheduleAsync(PayoutSchedule schedule);
}

public sealed record PayoutSchedule(TimeSpan Interval);

/// <summary>
/// A reminder, not a timer: it survives restarts, and in Dapr mode fires on one replica only, so each period has one
/// run (overlapping runs would still be safe, see <see cref="PayoutRun"/>).
/// </summary>
public sealed class PayoutScheduleActor(ActorHost host, IServiceScopeFactory scopes) : Actor(host), IPayoutScheduleActor, IRemindable
{
    public const string TypeName = "PayoutSchedule";
    public static readonly ActorId Instance = new("payouts");

    private const string IntervalKey = "interval";
    private const string RunReminder = "run";

    public async Task ScheduleAsync(PayoutSchedule schedule)
    {
        var current = await StateManager.TryGetStateAsync<TimeSpan>(IntervalKey);
        if (current.HasValue && current.Value == schedule.Interval)
        {
            return; // re-registering on every start would push the next run back by a whole interval each time
        }

        await StateManager.SetStateAsync(IntervalKey, schedule.Interval);
        await RegisterReminderAsync(RunReminder, null, schedule.Interval, schedule.Interval);
    }

    public async Task ReceiveReminderAsync(string reminderName, byte[]? state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != RunReminder)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var now = Host.TimeProvider.GetUtcNow();
        var payouts = await scope.ServiceProvider.GetRequiredService<PayoutRun>().RunAllAsync(now, CancellationToken.None);
        var sellerPayouts = await scope.ServiceProvider.GetRequiredService<SellerPayoutRun>().RunAsync(now, CancellationToken.None);
        Logger.LogInformation("Payout run made or finished {Count} organizer payouts and {SellerCount} seller payouts", payouts.Count, sellerPayouts.Count);
    }
}

/// <summary>Puts the configured interval on the schedule once the host runs (actor calls need the runtime, and in Dapr mode the sidecar).</summary>
internal sealed class PayoutScheduling(IActorProxyFactory actors, IHostApplicationLifetime lifetime, IOptions<PaymentsOptions> options, ILogger<PayoutScheduling> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var schedule = actors.CreateActorProxy<IPayoutScheduleActor>(PayoutScheduleActor.Instance, PayoutScheduleActor.TypeName);
        await Resilience.Forever(logger, "Scheduling payouts").ExecuteAsync(
            async _ => await schedule.ScheduleAsync(new PayoutSchedule(options.Value.Payouts.Interval)), stoppingToken);
    }
}
