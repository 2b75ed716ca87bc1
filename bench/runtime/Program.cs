using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Bench.Runtime;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.BuildingBlocks.State;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.Testing;

// Usage: dotnet run -c Release --project bench/runtime [-- --seconds 10 --durable true|false --only actors|state|pubsub|workflows]
var seconds = Arg("--seconds", 10);
var only = Array.IndexOf(args, "--only") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : null;
bool Runs(string part) => only is null || only == part;
var durable = Arg("--durable", 1) == 1;
var duration = TimeSpan.FromSeconds(seconds);

Console.WriteLine($"TicketToken runtime benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(durable ? "PostgreSQL with fsync on (durable)" : "PostgreSQL with fsync off")}, {seconds} s per measurement");
var directory = Path.Combine(Path.GetTempPath(), "tickettoken-bench-" + Guid.NewGuid().ToString("N"));
var postgres = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: !durable, database: "bench");
try
{
    var settings = new Dictionary<string, string?>(TestHost.Defaults)
    {
        ["TicketToken:Embedded:PollInterval"] = "00:00:01",
        ["TicketToken:Workflows:ActivityLease"] = "00:00:30",
    };
    var pool = Arg("--pool", 100);
    var connection = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString) { MaxPoolSize = pool }.ConnectionString;
    await using var host = await TestHost.StartAsync([new BenchModule()], connection, settings);
    var actors = host.Services.GetRequiredService<IActorProxyFactory>();
    var rows = new List<string[]>();

    // 1. Actor calls through a proxy, in-process, no state change: 64 callers over 1,000 actors.
    if (Runs("actors"))
    {
    var pingers = Enumerable.Range(0, 1000).Select(i => actors.CreateActorProxy<IPingActor>(new ActorId("p" + i), nameof(PingActor))).ToArray();
    await Task.WhenAll(pingers.Select(p => p.EchoAsync(0)));
    var calls = await Closed(64, duration, async (worker, n) => await pingers[(worker * 7919 + n) % pingers.Length].EchoAsync(n));
    rows.Add(["actor calls (proxy, no state change, 1,000 actors, 64 callers)", $"{calls.PerSecond:N0}/s", calls.Latency]);

    var single = actors.CreateActorProxy<IPingActor>(new ActorId("hot"), nameof(PingActor));
    var hot = await Closed(64, duration, async (_, n) => await single.EchoAsync(n));
    rows.Add(["actor calls (one hot actor, 64 callers queued on its turns)", $"{hot.PerSecond:N0}/s", hot.Latency]);

    // 2. Actor calls that change state: each turn commits one row.
    var writes = await Closed(64, duration, async (worker, n) => await pingers[(worker * 7919 + n) % pingers.Length].IncrementAsync(1));
    rows.Add(["actor calls that change state (durable before they return, 64 callers)", $"{writes.PerSecond:N0}/s", writes.Latency]);
    }

    // 3. State saves through the state building block.
    if (Runs("state"))
    {
    var state = host.GetKeyed<IStateClient>(BenchModule.Id);
    var saves = await Closed(32, duration, async (worker, n) => await state.SaveStateAsync(StateStores.Default, $"k{worker}-{n % 1000}", new { n, worker }));
    rows.Add(["state saves (32 writers, upsert)", $"{saves.PerSecond:N0}/s", saves.Latency]);
    }

    // 4. Pub/sub: published-to-handled throughput (burst) and latency at a fixed rate.
    if (Runs("pubsub"))
    {
    var publisher = host.GetKeyed<IEventPublisher>(BenchModule.Id);
    var burst = await PublishBurst(publisher, 20_000);
    rows.Add([$"events published then handled (20,000 as fast as 32 publishers go)", $"{burst.PerSecond:N0}/s", burst.Latency]);
    var paced = await PublishAtRate(publisher, ratePerSecond: 500, duration);
    rows.Add(["events at a fixed 500/s: publish-to-handler latency", $"{paced.PerSecond:N0}/s", paced.Latency]);
    }

    // 5. Workflows: three activities each, 200 in flight.
    if (Runs("workflows"))
    {
    var workflows = host.GetKeyed<IWorkflowClient>(BenchModule.Id);
    var total = Arg("--workflows", 3_000);
    var flows = await RunWorkflows(workflows, total, inFlight: 200);
    rows.Add([$"3-activity workflows completed ({total:N0}, 200 in flight)", $"{flows.PerSecond:N0}/s", flows.Latency]);
    }

    Console.WriteLine();
    Console.WriteLine("| measurement | throughput | latency p50 / p99 |");
    Console.WriteLine("|---|---|---|");
    foreach (var row in rows)
    {
        Console.WriteLine($"| {row[0]} | {row[1]} | {row[2]} |");
    }
}
finally
{
    await postgres.DisposeAsync();
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? (bool.TryParse(args[i + 1], out var b) ? (b ? 1 : 0) : int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture)) : fallback;
}

// Closed loop: each worker issues its next call when the previous returns.
static async Task<Result> Closed(int workers, TimeSpan duration, Func<int, int, Task> call)
{
    await Task.WhenAll(Enumerable.Range(0, workers).Select(w => call(w, 0))); // warm-up
    var latencies = new List<double>[workers];
    var stop = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, workers).Select(async w =>
    {
        var mine = latencies[w] = new List<double>(100_000);
        var n = 0;
        while (stop.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            await call(w, n++);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    });
    await Task.WhenAll(tasks);
    var all = latencies.SelectMany(l => l).ToList();
    return new Result(all.Count / stop.Elapsed.TotalSeconds, Percentiles(all));
}

static async Task<Result> PublishBurst(IEventPublisher publisher, int count)
{
    PingHandler.Reset();
    var clock = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            await publisher.PublishEventAsync(PubSubNames.Default, Ping.Topic, new Ping(i, Stopwatch.GetTimestamp()));
        }
    }));
    return new Result(count / (await PingHandler.DrainedAsync(count, clock)).TotalSeconds, Percentiles(PingHandler.LatenciesMs.ToList()));
}

static async Task<Result> PublishAtRate(IEventPublisher publisher, int ratePerSecond, TimeSpan duration)
{
    PingHandler.Reset();
    var total = (int)(ratePerSecond * duration.TotalSeconds);
    var clock = Stopwatch.StartNew();
    var inFlight = new List<Task>(total);
    for (var i = 0; i < total; i++)
    {
        var due = TimeSpan.FromSeconds((double)i / ratePerSecond);
        var wait = due - clock.Elapsed;
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }

        inFlight.Add(publisher.PublishEventAsync(PubSubNames.Default, Ping.Topic, new Ping(i, Stopwatch.GetTimestamp())));
    }

    await Task.WhenAll(inFlight);
    return new Result(total / (await PingHandler.DrainedAsync(total, clock)).TotalSeconds, Percentiles(PingHandler.LatenciesMs.ToList()));
}

static async Task<Result> RunWorkflows(IWorkflowClient workflows, int total, int inFlight)
{
    await workflows.WaitForWorkflowCompletionAsync(await workflows.ScheduleNewWorkflowAsync(nameof(ThreeSteps), input: 0)); // warm-up
    Interlocked.Exchange(ref ThreeSteps.Completed, 0);
    var clock = Stopwatch.StartNew();
    var next = -1;
    // Schedulers start instances while fewer than `inFlight` are running; starting is itself a turn with a commit.
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < total)
        {
            while (i - Volatile.Read(ref ThreeSteps.Completed) >= inFlight)
            {
                await Task.Delay(1);
            }

            await workflows.ScheduleNewWorkflowAsync(nameof(ThreeSteps), "bench-" + i, i);
        }
    }));
    while (Volatile.Read(ref ThreeSteps.Completed) < total)
    {
        await Task.Delay(2);
    }

    var elapsed = clock.Elapsed;
    return new Result(total / elapsed.TotalSeconds, $"{elapsed.TotalMilliseconds / total * inFlight:0.0} ms mean per instance (Little's law)");
}

static string Percentiles(List<double> values)
{
    if (values.Count == 0)
    {
        return "-";
    }

    values.Sort();
    double At(double p) => values[Math.Min(values.Count - 1, (int)(p * values.Count))];
    static string Format(double ms) => ms < 1 ? $"{ms * 1000:0} µs" : $"{ms:0.0} ms";
    return $"{Format(At(0.50))} / {Format(At(0.99))}";
}

internal sealed record Result(double PerSecond, string Latency);
