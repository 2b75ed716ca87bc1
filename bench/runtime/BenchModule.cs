using System.Collections.Concurrent;
using System.Diagnostics;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.Workflows;

namespace TicketToken.Bench.Runtime;

/// <summary>The smallest actor, handler and workflow: what is measured is the runtime, not the work.</summary>
public sealed class BenchModule : Module
{
    public const string Id = "bench";

    public override string AppId => Id;

    public override void Configure(ModuleBuilder module) =>
        module.AddActor<PingActor>()
            .Subscribe<Ping, PingHandler>(Ping.Topic)
            .AddWorkflow<ThreeSteps>()
            .AddWorkflowActivity<Step>();
}

public interface IPingActor : IActor
{
    Task<long> EchoAsync(long value);
    Task<long> IncrementAsync(long by);
}

public sealed class PingActor(ActorHost host) : Actor(host), IPingActor
{
    public Task<long> EchoAsync(long value) => Task.FromResult(value);

    public async Task<long> IncrementAsync(long by)
    {
        var count = (await StateManager.TryGetStateAsync<long>("count")).Value + by;
        await StateManager.SetStateAsync("count", count);
        return count;
    }
}

public sealed record Ping(int Sequence, long PublishedAt)
{
    public const string Topic = "bench.ping";
}

/// <summary>Records when each event arrived, against the timestamp the publisher put in it.</summary>
public sealed class PingHandler : ITopicHandler<Ping>
{
    public static ConcurrentQueue<double> LatenciesMs { get; } = new();

    public static int Handled;

    public static void Reset()
    {
        LatenciesMs.Clear();
        Interlocked.Exchange(ref Handled, 0);
    }

    /// <summary>Waits until <paramref name="count"/> events were handled; returns the time since <paramref name="clock"/> started.</summary>
    public static async Task<TimeSpan> DrainedAsync(int count, Stopwatch clock)
    {
        while (Volatile.Read(ref Handled) < count)
        {
            await Task.Delay(5);
        }

        return clock.Elapsed;
    }

    public Task<TopicResult> HandleAsync(Ping data, CloudEvent envelope, CancellationToken cancellationToken)
    {
        LatenciesMs.Enqueue(Stopwatch.GetElapsedTime(data.PublishedAt).TotalMilliseconds);
        Interlocked.Increment(ref Handled);
        return Task.FromResult(TopicResult.Success);
    }
}

public sealed class ThreeSteps : Workflow<int, int>
{
    public static int Completed;

    public override async Task<int> RunAsync(WorkflowContext context, int input)
    {
        var value = input;
        for (var i = 0; i < 3; i++)
        {
            value = await context.CallActivityAsync<int>(nameof(Step), value);
        }

        if (!context.IsReplaying)
        {
            Interlocked.Increment(ref Completed);
        }

        return value;
    }
}

public sealed class Step : WorkflowActivity<int, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, int input) => Task.FromResult(input + 1);
}
