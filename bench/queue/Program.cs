using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using TicketToken.Bench.Queue;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Inventory;
using TicketToken.Queue;
using TicketToken.Testing;

// A queued on-sale: --fans join before the opening, then every fan polls its place every --poll seconds (spread evenly
// over the interval), and an admitted fan holds one seat with its admission. Runs until every seat is held or --max seconds.
var fans = Option("--fans", 100_000);
var seats = Option("--seats", 20_000);
var wave = Option("--wave", 1_000);
var interval = Option("--interval", 2);
var pollSeconds = Option("--poll", 5);
var maxSeconds = Option("--max", 180);
var connections = Option("--connections", 256);
Console.WriteLine($"TicketToken queue benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {fans:N0} fans, {seats:N0} seats, " +
    $"waves of {wave:N0} every {interval} s, each fan polling every {pollSeconds} s; load average before: {LoadAverage()}");

var directory = Path.Combine(Path.GetTempPath(), "tickettoken-queue-" + Guid.NewGuid().ToString("N"));
var postgres = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: false, database: "queue",
    serverSettings: ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.max=10000"]);
try
{
    var port = FreePort();
    var settings = new Dictionary<string, string?>(TestHost.Defaults)
    {
        ["TicketToken:Auth:IdentityAppId"] = FanTokens.Id,
        ["TicketToken:Queue:TickInterval"] = "00:00:00.500",
    };
    await using var host = await TestHost.StartAsync([new InventoryModule(), new QueueModule(), new FanTokens()], postgres.ConnectionString, settings,
        urls: $"http://127.0.0.1:{port}");
    using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = host.BaseAddress,
        Timeout = TimeSpan.FromSeconds(120),
    };

    var organizerId = Guid.NewGuid();
    var admin = FanTokens.Mint(Guid.NewGuid(), organizerId);
    var eventId = Guid.NewGuid();
    await host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, Publish(eventId, organizerId, seats));
    await Eventually.TrueAsync(async () =>
    {
        using var response = await client.GetAsync($"/api/inventory/events/{eventId}/availability");
        await using var connection = await NpgsqlDataSource.Create(postgres.ConnectionString).OpenConnectionAsync();
        await using var known = new NpgsqlCommand("select count(*) from queue.events where id = $1", connection) { Parameters = { new() { Value = eventId } } };
        return response.StatusCode == HttpStatusCode.OK && (long)(await known.ExecuteScalarAsync())! == 1;
    }, "inventory and the queue know the event", TimeSpan.FromSeconds(120));
    await ConfigureAsync(DateTimeOffset.UtcNow.AddDays(1));

    // Joins: every fan before the opening, 64 at a time.
    var tokens = Enumerable.Range(0, fans).Select(_ => FanTokens.Mint(Guid.NewGuid())).ToArray();
    var joinClock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, fans), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/queue/events/{eventId}/entries") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", tokens[i]);
        using var response = await client.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"join answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    });
    var joinTime = joinClock.Elapsed;
    var joinRate = fans / joinTime.TotalSeconds;
    Console.WriteLine($"{fans:N0} joins in {joinTime.TotalSeconds:0.0} s: {joinRate:N0}/s");

    // Memory of this process (the host and the load generator with every fan's token) with every fan in the line.
    var heapAfterJoins = GC.GetTotalMemory(forceFullCollection: true);
    var workingSetAfterJoins = Environment.WorkingSet;

    // The opening, one poll period and two seconds from now; fans start polling at once, so every fan polls once before
    // the opening, while nothing else happens: the statements PostgreSQL runs meanwhile show what a poll costs it.
    var opensAt = DateTimeOffset.UtcNow.AddSeconds(pollSeconds + 2);
    await ConfigureAsync(opensAt);
    await using (var statements = NpgsqlDataSource.Create(postgres.ConnectionString))
    await using (var reset = statements.CreateCommand("create extension if not exists pg_stat_statements; select pg_stat_statements_reset()"))
    {
        await reset.ExecuteNonQueryAsync();
    }

    var pollsBeforeOpening = 0L;
    var statementsBeforeOpening = (All: 0L, Entries: 0L);
    var latencies = new ConcurrentBag<double[]>();
    var holds = 0;
    var refusedHolds = 0;
    var polls = 0L;
    var soldOutSeen = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
    var clock = Stopwatch.StartNew();
    var period = TimeSpan.FromSeconds(pollSeconds);
    var workers = connections;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(maxSeconds));
    var load = new List<string>();
    using var sampler = new Timer(_ => { lock (load) { load.Add(LoadAverage()); } }, null, 0, 10_000);
    var quietWindow = Task.Run(async () =>
    {
        await Task.Delay(opensAt - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(0.5));
        pollsBeforeOpening = Interlocked.Read(ref polls);
        await using var statements = NpgsqlDataSource.Create(postgres.ConnectionString);
        statementsBeforeOpening = (
            await Scalar<long>(statements, "select coalesce(sum(calls), 0)::bigint from pg_stat_statements where query not like '%pg_stat%'"),
            await Scalar<long>(statements, "select coalesce(sum(calls), 0)::bigint from pg_stat_statements where query like '%queue.entries%'"));
    });
    await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
    {
        var mine = Enumerable.Range(0, fans).Where(i => i % workers == w).ToList();
        var done = new bool[mine.Count];
        var recorded = new List<double>();
        try
        {
            for (var round = 0; !stop.IsCancellationRequested && !done.All(d => d); round++)
            {
                for (var k = 0; k < mine.Count && !stop.IsCancellationRequested; k++)
                {
                    if (done[k])
                    {
                        continue;
                    }

                    // Each fan's polls are due at a fixed offset within the period; latency counts from when it was due.
                    var due = period * round + period * ((double)mine[k] / fans);
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, stop.Token);
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/queue/events/{eventId}/entries/me");
                    request.Headers.Authorization = new("Bearer", tokens[mine[k]]);
                    using var response = await client.SendAsync(request, stop.Token);
                    var place = await response.Content.ReadFromJsonAsync<JsonElement>(stop.Token);
                    recorded.Add((clock.Elapsed - due).TotalMilliseconds);
                    Interlocked.Increment(ref polls);
                    var status = place.GetProperty("status").GetString();
                    if (status == "admitted")
                    {
                        using var hold = new HttpRequestMessage(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds")
                        {
                            Content = JsonContent.Create(new { best = new { quantity = 1 } }),
                        };
                        hold.Headers.Authorization = new("Bearer", tokens[mine[k]]);
                        hold.Headers.Add("Queue-Admission", place.GetProperty("admission").GetString());
                        using var held = await client.SendAsync(hold, stop.Token);
                        _ = held.StatusCode == HttpStatusCode.Created ? Interlocked.Increment(ref holds) : Interlocked.Increment(ref refusedHolds);
                        done[k] = true;
                    }
                    else if (status is "sold_out" or "refused" or "admission_expired")
                    {
                        if (status == "sold_out")
                        {
                            soldOutSeen.TrySetResult(DateTimeOffset.UtcNow);
                        }

                        done[k] = true;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        latencies.Add([.. recorded]);
    })));
    var elapsed = clock.Elapsed;
    await quietWindow;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double At(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];

    await using var database = NpgsqlDataSource.Create(postgres.ConnectionString);
    var buyers = new List<Guid>();
    await using (var command = database.CreateCommand("select distinct actor_id from runtime.actor_state where actor_type = 'BuyerHolds' and actor_id like $1 and key like 'hold:%'"))
    {
        command.Parameters.AddWithValue($"{eventId:N}.%");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            buyers.Add(Guid.ParseExact(reader.GetString(0)[33..], "N"));
        }
    }

    var unadmitted = await Scalar<long>(database, """
        select count(*) from unnest($2::uuid[]) as b(id) where not exists (
            select 1 from queue.entries e where e.event_id = $1 and e.user_id = b.id and e.status = 'admitted')
        """, eventId, buyers.ToArray());
    var admitted = await Scalar<long>(database, "select count(*) from queue.entries where event_id = $1 and status = 'admitted'", eventId);
    var openedAt = await Scalar<DateTimeOffset>(database, "select opened_at from queue.onsales where event_id = $1", eventId);
    var firstAdmission = await Scalar<DateTimeOffset>(database, "select min(admitted_at) from queue.entries where event_id = $1", eventId);
    var lastAdmission = await Scalar<DateTimeOffset>(database, "select max(admitted_at) from queue.entries where event_id = $1", eventId);
    var soldOut = soldOutSeen.Task.IsCompleted ? await soldOutSeen.Task : (DateTimeOffset?)null;

    Console.WriteLine();
    Console.WriteLine("| measurement | value |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| joins (before the opening, 64 at a time) | {fans:N0} in {joinTime.TotalSeconds:0.0} s: {joinRate:N0}/s |");
    Console.WriteLine($"| polls answered | {polls:N0} in {elapsed.TotalSeconds:0} s: {polls / elapsed.TotalSeconds:N0}/s (target {fans / (double)pollSeconds:N0}/s while everybody waits) |");
    Console.WriteLine($"| memory of the process (host and load generator) with every fan in line | managed heap {heapAfterJoins / 1048576.0:N0} MB, working set {workingSetAfterJoins / 1048576.0:N0} MB |");
    Console.WriteLine($"| statements PostgreSQL ran during the {pollsBeforeOpening:N0} polls before the opening | {statementsBeforeOpening.All:N0} in all (the host's own background work), " +
        $"{statementsBeforeOpening.Entries:N0} reading or writing queue.entries |");
    Console.WriteLine($"| poll latency from when it was due, p50 / p99 / max | {At(0.50):0.0} / {At(0.99):0.0} / {(all.Length > 0 ? all[^1] : double.NaN):0} ms |");
    Console.WriteLine($"| admitted | {admitted:N0}, first {(firstAdmission - openedAt).TotalSeconds:0.0} s after the opening, last {(lastAdmission - openedAt).TotalSeconds:0.0} s after: " +
        $"{(admitted > 1 ? (admitted - wave) / Math.Max(0.001, (lastAdmission - firstAdmission).TotalSeconds) : 0):N0}/s held (configured {wave / (double)interval:N0}/s) |");
    Console.WriteLine($"| holds with an admission | {holds:N0} made, {refusedHolds:N0} refused |");
    Console.WriteLine($"| sold out | {(soldOut is { } s ? $"{(s - openedAt).TotalSeconds:0.0} s after the opening (first fan told)" : $"not within {maxSeconds} s")} |");
    Console.WriteLine($"| holds in the database by fans the queue never admitted | {unadmitted} of {buyers.Count:N0} buyers |");
    Console.WriteLine($"| load average (1, 5, 15 min) during the run | {string.Join(" → ", load)} |");

    async Task ConfigureAsync(DateTimeOffset opening)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/queue/organizer/events/{eventId}")
        {
            // Every fan of the benchmark shares one address and a brand-new account: the risk score would delay them all.
            Content = JsonContent.Create(new { opensAt = opening, waveSize = wave, waveIntervalSeconds = interval, admissionValiditySeconds = 600, delayAtScore = 101, refuseAtScore = 101 }),
        };
        request.Headers.Authorization = new("Bearer", admin);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await postgres.DisposeAsync();
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }

    File.Delete(directory + ".log");
    File.Delete(directory + ".lock");
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task<T> Scalar<T>(NpgsqlDataSource database, string sql, params object[] parameters)
{
    await using var command = database.CreateCommand(sql);
    foreach (var parameter in parameters)
    {
        command.Parameters.AddWithValue(parameter);
    }

    await using var reader = await command.ExecuteReaderAsync();
    return await reader.ReadAsync() && !reader.IsDBNull(0) ? reader.GetFieldValue<T>(0) : default!;
}

// 40 sections of 20 rows of 25 seats (20,000 by default), one price zone.
static EventPublished Publish(Guid eventId, Guid organizerId, int seats)
{
    var perSection = 500;
    var sections = Enumerable.Range(1, Math.Max(1, seats / perSection)).Select(s => new PublishedSection($"S{s:00}", $"Section {s}",
        [.. Enumerable.Range(0, 20).Select(r => new PublishedRow($"{r + 1}", r,
            [.. Enumerable.Range(1, 25).Select(n => new PublishedSeat($"S{s:00}-{r + 1}-{n}", $"{n}", "STANDARD", false, false, false, n, r))]))])).ToList();
    var now = DateTimeOffset.UtcNow;
    return new EventPublished(eventId, organizerId, Guid.NewGuid(), "Queued Night", now.AddDays(30), now.AddDays(30).AddHours(3), "Europe/Berlin", "EUR",
        now.AddDays(-1), now.AddDays(29), new PurchaseLimits(10, 10), sections,
        [new PublishedTicketType(Guid.NewGuid(), "Standard", PublishedTicketType.Reserved, "STANDARD", null, 5_000)], new ResalePolicy(false, null, 0), 1);
}
