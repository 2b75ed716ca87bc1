using System.Text;
using Dapr.Actors;
using Dapr.Actors.Runtime;

namespace TicketToken.Dapr.SdkReferee.Tests;

public interface IScoreboardActor : IActor
{
    Task<int> AddAsync(Points points);

    Task<int> TotalAsync();

    Task FailAsync();

    Task RemindMeAsync(string note);

    Task<string> LastReminderAsync();
}

public sealed record Points(int Value);

/// <summary>An actor as Dapr.Actors wants it: its own class, state through the state manager, a reminder.</summary>
public sealed class ScoreboardActor(ActorHost host) : Actor(host), IScoreboardActor, IRemindable
{
    public const string Reminder = "note";

    public async Task<int> AddAsync(Points points)
    {
        var total = await StateManager.GetOrAddStateAsync("total", 0) + points.Value;
        await StateManager.SetStateAsync("total", total);
        return total;
    }

    public Task<int> TotalAsync() => StateManager.GetOrAddStateAsync("total", 0);

    public Task FailAsync() => throw new InvalidOperationException("The scoreboard is closed.");

    public Task RemindMeAsync(string note) =>
        RegisterReminderAsync(Reminder, Encoding.UTF8.GetBytes(note), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(-1));

    public async Task<string> LastReminderAsync() =>
        await StateManager.TryGetStateAsync<string>("reminded") is { HasValue: true } reminded ? reminded.Value : "";

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        StateManager.SetStateAsync("reminded", $"{reminderName}:{Encoding.UTF8.GetString(state)}");
}
