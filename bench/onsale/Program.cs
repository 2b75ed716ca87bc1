using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Bench;
using TicketToken.Bench.Onsale;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

if (args.Contains("--help"))
{
    Console.WriteLine(Options.Usage);
    return;
}

var options = Options.Parse(args);
var perSection = options.Seats / options.Sections;
var seatsPerRow = Math.Min(25, perSection);
var venue = new Venue(options.Sections, perSection / seatsPerRow, seatsPerRow);
Console.WriteLine($"TicketToken on-sale benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
    $"{(options.Durable ? "PostgreSQL with fsync on (durable)" : "PostgreSQL with fsync off")}");
Console.WriteLine($"{venue.Capacity:N0} seats in {venue.Sections} sections of {venue.Rows} rows x {venue.SeatsPerRow}; {options.Fans:N0} fans, " +
    $"Zipf {options.Zipf} over sections, {options.SpecificShare:P0} specific seats, think time {options.ThinkMs} ms, seed {options.Seed}");

await using var postgres = await BenchDatabase.StartAsync("onsale", durable: options.Durable);
var connection = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
if (options.Pool > 0)
{
    connection.MaxPoolSize = options.Pool;
}

if (options.AutoPrepare > 0)
{
    connection.MaxAutoPrepare = options.AutoPrepare;
}

var settings = new Dictionary<string, string?>(TestHost.Defaults)
{
    // Every fan signs in from this machine's one address.
    ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
    ["TicketToken:Identity:AccessTokenLifetime"] = "01:00:00",
};
await using var host = await TestHost.StartAsync([new IdentityModule(), new InventoryModule(), new BaselineModule()], connection.ConnectionString, settings);
Console.WriteLine($"host on {host.BaseAddress} (identity, inventory, bench baseline), pool of {(options.Pool > 0 ? options.Pool : PostgresDataSources.DefaultMaxPoolSize)} connections");

IReadOnlyList<string> tokens = await Fans.SignInAsync(host.Client, options.Fans, "onsale");
using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
{
    BaseAddress = host.BaseAddress,
    Timeout = TimeSpan.FromSeconds(60),
};
await Task.WhenAll(Enumerable.Range(0, options.Fans).Select(async _ => (await client.GetAsync("healthz")).Dispose())); // one connection per fan

var buyers = tokens.Select(Personas.SubjectOf).ToList();
var targets = new List<HoldTarget>();
if (options.Only is "both" or "all" or "actors")
{
    targets.Add(new HttpHoldTarget("actors", client, tokens, id => $"/api/inventory/events/{id}/holds"));
}

if (options.Only is "both" or "all" or "baseline")
{
    targets.Add(new HttpHoldTarget("baseline", client, tokens, id => $"/bench/baseline/events/{id}/holds"));
}

if (options.Only is "all" or "in-process")
{
    targets.Add(new ActorHoldTarget(host.Services.GetRequiredService<IActorProxyFactory>(), buyers));
}

// Warm-up: whole on-sales per system, not measured, until --warmup seconds have passed, so the measured ones run
// tiered, fully jitted code on warm pools. One on-sale (2 - 5 s) was not enough: a profile of the next one showed
// the JIT's tiering thread at 13 % of the process, and its rate rose by a third over the following on-sales.
foreach (var target in targets)
{
    var warmingSince = Stopwatch.StartNew();
    do
    {
        var warm = await PrepareAsync(host, venue, target);
        var warmUp = await new OnSaleRun(venue, tokens.Count, target, options).RunAsync(warm, quiet: true);
        Console.WriteLine($"warm-up on-sale, {target.Name}: {warmUp.AttemptsPerSecond:N0} attempts/s, every seat held after {(warmUp.SoldOutAfter ?? warmUp.Elapsed).TotalSeconds:0.00} s");
    }
    while (warmingSince.Elapsed < TimeSpan.FromSeconds(options.WarmUpSeconds));
}

// What a refused hold costs with no work behind it: HTTP, the token check, JSON, and this load generator.
(double PerSecond, double P50, double P95, double P99)? floor = options.Only is "all" ? await FloorAsync(client, tokens, TimeSpan.FromSeconds(5)) : null;

var results = new List<(OnSaleResult Result, Oversell.Report Check)>();
for (var run = 1; run <= options.Runs; run++)
{
    foreach (var target in targets)
    {
        var eventId = await PrepareAsync(host, venue, target);
        Console.WriteLine();
        Console.WriteLine($"on-sale {run}/{options.Runs}, {target.Name}: event {eventId}");
        var onSale = new OnSaleRun(venue, tokens.Count, target, options);
        var result = await onSale.RunAsync(eventId, quiet: false);
        var database = host.Services.GetRequiredKeyedService<NpgsqlDataSource>(target.Name == "baseline" ? BaselineModule.Id : InventoryModule.Id);
        var check = target.Name == "baseline"
            ? await Oversell.BaselineAsync(database, eventId, onSale.Acknowledged)
            : await Oversell.ActorsAsync(database, eventId, venue, onSale.Acknowledged);
        Console.WriteLine($"  CPU: {result.MachineCpu:P0} of the machine's cores busy, {result.ProcessCpu:P0} in this process (host and load generator), the rest PostgreSQL and others");
        Console.WriteLine($"  outcomes: {string.Join(", ", result.Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}: {o.Value:N0}"))}" +
            (result.Failures > 0 ? $"; {result.Failures:N0} answers that were neither a hold nor a refusal" : ""));
        Console.WriteLine($"  database: {check.SeatsClaimed:N0} seats held, {check.Oversold} oversold{(check.Examples.Count > 0 ? ": " + string.Join("; ", check.Examples) : "")}");
        results.Add((result, check));
    }
}

Console.WriteLine();
Console.WriteLine("| system | hold attempts/s | successful holds/s | latency p50 / p95 / p99 (max) | p99 after the first second | every seat held after | attempts | holds | seats held (DB) | oversold |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
foreach (var (r, check) in results)
{
    Console.WriteLine($"| {r.System} | {r.AttemptsPerSecond:N0} | {r.HoldsPerSecond:N0} | {r.P50:0.0} / {r.P95:0.0} / {r.P99:0.0} ms ({r.Max:0} ms) | {r.P99AfterOpening:0.0} ms | " +
        $"{(r.SoldOutAfter is { } after ? $"{after.TotalSeconds:0.00} s" : $"not sold out in {r.Elapsed.TotalSeconds:0} s")} | {r.Attempts:N0} | {r.Holds:N0} | " +
        $"{check.SeatsClaimed:N0} / {venue.Capacity:N0} | {check.Oversold + r.AcknowledgedTwice} |");
}

if (floor is { } f)
{
    Console.WriteLine($"| HTTP floor: refused at once, no work (5 s) | {f.PerSecond:N0} | - | {f.P50:0.0} / {f.P95:0.0} / {f.P99:0.0} ms | - | - | - | - | - | - |");
}

var actors = results.Where(r => r.Result.System == "actors").ToList();
var baseline = results.Where(r => r.Result.System == "baseline").ToList();
if (actors.Count > 0 && baseline.Count > 0)
{
    var ratio = actors.Average(r => r.Result.AttemptsPerSecond) / baseline.Average(r => r.Result.AttemptsPerSecond);
    var holdsRatio = actors.Average(r => r.Result.HoldsPerSecond) / baseline.Average(r => r.Result.HoldsPerSecond);
    var sellOut = baseline.Average(r => (r.Result.SoldOutAfter ?? r.Result.Elapsed).TotalSeconds) / actors.Average(r => (r.Result.SoldOutAfter ?? r.Result.Elapsed).TotalSeconds);
    var failed = results.Sum(r => r.Result.Failures);
    Console.WriteLine();
    Console.WriteLine($"actors / baseline: {ratio:0.00}x hold attempts/s, {holdsRatio:0.00}x successful holds/s, sold out {sellOut:0.00}x sooner");
    Console.WriteLine($"targets: 0 oversell in both: {(results.All(r => r.Check.Oversold + r.Result.AcknowledgedTwice == 0) ? "met" : "MISSED")}{(failed > 0 ? $" ({failed} failed answers)" : "")}; " +
        $"attempts/s >= 3x baseline: {(ratio >= 3 ? "met" : "MISSED")} ({ratio:0.00}x); " +
        $"p99 < 50 ms: {(actors.All(r => r.Result.P99 < 50) ? "met" : "MISSED")} ({string.Join(", ", actors.Select(r => $"{r.Result.P99:0.0} ms"))}; " +
        $"after the first second: {string.Join(", ", actors.Select(r => $"{r.Result.P99AfterOpening:0.0} ms"))})");
}

// Every fan posts hold requests that the server refuses without looking, as fast as answers come back.
static async Task<(double PerSecond, double P50, double P95, double P99)> FloorAsync(HttpClient client, IReadOnlyList<string> tokens, TimeSpan duration)
{
    var path = $"/bench/baseline/events/{Guid.NewGuid()}/refusals";
    var latencies = new List<double>[tokens.Count];
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, tokens.Count).Select(fan => Task.Run(async () =>
    {
        var mine = latencies[fan] = [];
        while (clock.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { best = new { quantity = 2, section = "S01" } }) };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens[fan]);
            using var response = await client.SendAsync(request);
            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })));
    var all = latencies.SelectMany(l => l).Order().ToList();
    double At(double p) => all[Math.Min(all.Count - 1, (int)(p * all.Count))];
    return (all.Count / clock.Elapsed.TotalSeconds, At(0.50), At(0.95), At(0.99));
}

// A fresh event for one on-sale: published to inventory through pub/sub (as catalog does), or seeded into the baseline's table.
static async Task<Guid> PrepareAsync(TestHost host, Venue venue, HoldTarget target)
{
    var eventId = Guid.NewGuid();
    if (target.Name == "baseline")
    {
        await BaselineModule.Seats.SeedAsync(host.Services.GetRequiredKeyedService<NpgsqlDataSource>(BaselineModule.Id), eventId, venue.AllSeats());
        return eventId;
    }

    await host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, venue.Publish(eventId));
    await Eventually.TrueAsync(async () =>
    {
        using var response = await host.Client.GetAsync($"/api/inventory/events/{eventId}/availability");
        return response.StatusCode == HttpStatusCode.OK
            && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sections").GetArrayLength() == venue.Sections;
    }, "the inventory of the published event", TimeSpan.FromSeconds(60));
    return eventId;
}
