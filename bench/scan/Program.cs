using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Identity;
using TicketToken.Scanning;
using TicketToken.Testing;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

// Gate scans through HTTP on the real host (identity, tickets, scanning) and a PostgreSQL with fsync on. Tickets are
// issued and activated through the tickets module, reach scanning through tickets.changed, and are scanned with codes
// computed from the secrets in the signed manifest, each ticket once (a first entry: allowed and recorded).
const string Usage = """
    dotnet run -c Release --project bench/scan [-- options]
      --tickets 50000      tickets of the event (also the manifest's size)
      --seconds 10         length of the saturated run and of the fixed-rate run
      --rate 500           scans per second of the fixed-rate (open-loop) run
      --concurrency 64     scans in flight in the saturated run
      --devices 8          scanner devices at the venue (scans are spread over them)
      --manifests 5        manifest downloads timed after the first
    """;
if (args.Contains("--help"))
{
    Console.WriteLine(Usage);
    return 0;
}

int Option(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
var ticketCount = Option("--tickets", 50_000);
var seconds = Option("--seconds", 10);
var rate = Option("--rate", 500);
var concurrency = Option("--concurrency", 64);
var deviceCount = Option("--devices", 8);
var manifestRuns = Option("--manifests", 5);
Console.WriteLine($"TicketToken scan benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL with fsync on; " +
    $"{ticketCount:N0} tickets, {seconds} s runs, {rate}/s fixed rate, {concurrency} in flight saturated, {deviceCount} devices");

var directory = Path.Combine(Path.GetTempPath(), "tickettoken-scan-" + Guid.NewGuid().ToString("N"));
var postgres = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: false, database: "scan");
try
{
    var settings = new Dictionary<string, string?>(TestHost.Defaults)
    {
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
        ["TicketToken:Identity:DeviceTokenLifetime"] = "02:00:00",
        // Every download makes its manifest anew (devices normally share one for 10 s): generation is what is measured.
        ["TicketToken:Scanning:ManifestReuse"] = "00:00:00",
    };
    await using var host = await TestHost.StartAsync([new IdentityModule(), new TicketsModule(), new ScanningModule()], postgres.ConnectionString, settings);
    var personas = new Personas(host.Client);
    var (admin, organizerId) = await personas.OrganizerAdminAsync("Bench promoter");
    var venueId = Guid.NewGuid();
    var devices = new List<ScannerDevice>();
    for (var i = 0; i < deviceCount; i++)
    {
        devices.Add(await personas.DeviceAsync(admin, organizerId, venueId));
    }

    var eventId = await AnnounceAsync(host, organizerId, venueId);
    var issuing = Stopwatch.StartNew();
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} issuing");
    await IssueAsync(host, postgres.ConnectionString, eventId, organizerId, ticketCount);
    Console.WriteLine($"{ticketCount:N0} tickets issued, activated and projected into scanning in {issuing.Elapsed.TotalSeconds:N1} s");
    using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 512 })
    {
        BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60),
    };

    // Manifest: the first download loads the event's view from the projection; the next ones are served from memory.
    var manifestTimes = new List<double>();
    byte[] manifest = [];
    for (var run = 0; run <= manifestRuns; run++)
    {
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/scanning/events/{eventId}/manifest");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", devices[0].AccessToken);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        manifest = await response.Content.ReadAsByteArrayAsync();
        manifestTimes.Add(watch.Elapsed.TotalMilliseconds);
    }

    var tickets = Tickets(manifest);
    if (tickets.Count != ticketCount)
    {
        throw new InvalidOperationException($"The manifest has {tickets.Count} tickets with secrets, not {ticketCount}.");
    }

    var stepSeconds = JsonDocument.Parse(manifest).RootElement.GetProperty("code").GetProperty("stepSeconds").GetInt32();
    var next = 0;
    (Guid Id, byte[] Secret) Take() => tickets[Interlocked.Increment(ref next) - 1];
    async Task<(bool Ok, double Ms)> ScanAsync(int i, long startedAt)
    {
        var (id, secret) = Take();
        var code = TicketCode.Current(id, secret, DateTimeOffset.UtcNow, stepSeconds);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/scans")
        {
            Content = JsonContent.Create(new { eventId, code, gate = $"Gate {i % deviceCount}" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", devices[i % deviceCount].AccessToken);
        using var response = await client.SendAsync(request);
        var ok = response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allowed").GetBoolean();
        return (ok, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
    }

    // Warm-up: JIT tiers, pools, the event's view.
    // Each ticket is scanned once; a run stops early rather than scan one twice. The fixed-rate run's tickets are kept aside.
    var fixedRateTickets = Math.Min(rate * seconds, tickets.Count / 2);
    int Left() => tickets.Count - fixedRateTickets - Volatile.Read(ref next);
    await Saturated(ScanAsync, Math.Min(concurrency, 16), TimeSpan.FromSeconds(3), Left);
    var warm = next;
    var saturated = await Saturated(ScanAsync, concurrency, TimeSpan.FromSeconds(seconds), Left);
    var fixedRate = await FixedRate(ScanAsync, rate, fixedRateTickets);
    var persisted = await Scalar(postgres.ConnectionString, "select count(*) from scanning.scans where event_id = $1 and allowed", eventId);

    Console.WriteLine();
    Console.WriteLine("| measurement | result |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| saturated: persisted validations/s ({concurrency} in flight, {saturated.Elapsed.TotalSeconds:N1} s) | {saturated.Latencies.Count / saturated.Elapsed.TotalSeconds:N0}/s " +
        $"(p50 {P(saturated.Latencies, 0.50):0.0} ms, p99 {P(saturated.Latencies, 0.99):0.0} ms, {saturated.Failures} not admitted) |");
    Console.WriteLine($"| fixed rate {rate}/s, open loop ({fixedRate.Elapsed.TotalSeconds:N0} s): latency from the scheduled start | p50 {P(fixedRate.Latencies, 0.50):0.0} ms, " +
        $"p99 {P(fixedRate.Latencies, 0.99):0.0} ms, max {fixedRate.Latencies.DefaultIfEmpty().Max():0.0} ms ({fixedRate.Latencies.Count:N0} scans, {fixedRate.Failures} not admitted) |");
    Console.WriteLine($"| manifest of {ticketCount:N0} tickets ({manifest.Length / 1024.0 / 1024.0:N1} MiB): first (loads the view) / then (median of {manifestRuns}, each made anew) | " +
        $"{manifestTimes[0]:N0} ms / {P(manifestTimes.Skip(1).ToList(), 0.5):N0} ms |");
    Console.WriteLine($"| scans answered allowed = allowed rows in scanning.scans | {next:N0} scanned, {persisted:N0} allowed rows (warm-up {warm:N0}) |");
    return saturated.Failures + fixedRate.Failures == 0 && persisted == next ? 0 : 1;
}
finally
{
    await postgres.DisposeAsync();
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }

    File.Delete(directory + ".log");
    File.Delete(directory + ".lock");
}

static double P(List<double> values, double p)
{
    if (values.Count == 0)
    {
        return 0;
    }

    var sorted = values.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}

// Closed loop: `inFlight` scans at all times, for `duration`.
static async Task<Run> Saturated(Func<int, long, Task<(bool Ok, double Ms)>> scan, int inFlight, TimeSpan duration, Func<int> left)
{
    var latencies = new List<double>();
    var failures = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async worker =>
    {
        var i = worker;
        while (watch.Elapsed < duration && left() > inFlight)
        {
            var (ok, ms) = await scan(i, Stopwatch.GetTimestamp());
            lock (latencies)
            {
                latencies.Add(ms);
                failures += ok ? 0 : 1;
            }

            i += inFlight;
        }
    }));
    return new Run(latencies, failures, watch.Elapsed);
}

// Open loop: scan i starts at i / rate seconds whatever the earlier ones do; latency counts from that scheduled moment,
// so a stall shows in every scan it delays (no coordinated omission).
static async Task<Run> FixedRate(Func<int, long, Task<(bool Ok, double Ms)>> scan, int rate, int total)
{
    var start = Stopwatch.GetTimestamp();
    var running = new List<Task<(bool Ok, double Ms)>>(total);
    for (var i = 0; i < total; i++)
    {
        var scheduled = start + (long)(i * (double)Stopwatch.Frequency / rate);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }

        var index = i;
        running.Add(Task.Run(() => scan(index, scheduled)));
    }

    var results = await Task.WhenAll(running);
    return new Run([.. results.Select(r => r.Ms)], results.Count(r => !r.Ok), Stopwatch.GetElapsedTime(start));
}

static async Task<Guid> AnnounceAsync(TestHost host, Guid organizerId, Guid venueId)
{
    var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
    var eventId = Guid.NewGuid();
    await host.GetKeyed<IEventPublisher>(TicketsModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic,
        new EventPublished(eventId, organizerId, venueId, "Bench arena", start, start.AddHours(4), "Europe/Berlin", "EUR", start.AddDays(-30), start,
            new PurchaseLimits(8, 8), [],
            [new PublishedTicketType(BenchTypes.Ga, "Standing", PublishedTicketType.GeneralAdmission, null, 100_000, 3_000) { AccessZone = AccessZones.GeneralAdmission }],
            new ResalePolicy(false, null, 0), 1));
    return eventId;
}

// Orders of 500 tickets, issued and activated through the tickets module's actor (as orders does), then waited for in
// scanning's projection.
static async Task IssueAsync(TestHost host, string connectionString, Guid eventId, Guid organizerId, int count)
{
    var actors = host.Services.GetRequiredService<IActorProxyFactory>();
    const int PerOrder = 500;
    await Parallel.ForEachAsync(Enumerable.Range(0, (count + PerOrder - 1) / PerOrder), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (n, _) =>
    {
        var orderId = Guid.NewGuid();
        var lines = Enumerable.Range(1, Math.Min(PerOrder, count - n * PerOrder))
            .Select(line => new TicketLine(line, BenchTypes.Ga, "Standing", null, null, null, null, null, 3_000, "EUR")).ToList();
        var issuer = actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);
        await issuer.IssueAsync(new IssueTickets(orderId, $"TT-B{n:D5}", eventId, organizerId, Guid.NewGuid(), lines));
        await issuer.ActivateAsync(new ActivateTickets(orderId));
    });
    var watch = Stopwatch.StartNew();
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} tickets module: {count:N0} tickets issued and activated; waiting for scanning's projection");
    while (await Scalar(connectionString, "select count(*) from scanning.tickets where event_id = $1 and status = 'active'", eventId) < count)
    {
        if (watch.Elapsed > TimeSpan.FromMinutes(10))
        {
            throw new TimeoutException("scanning did not see every ticket active within 10 minutes");
        }

        await Task.Delay(500);
    }
}

static async Task<long> Scalar(string connectionString, string sql, Guid eventId)
{
    await using var db = Npgsql.NpgsqlDataSource.Create(connectionString);
    await using var command = db.CreateCommand(sql);
    command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventId });
    return (long)(await command.ExecuteScalarAsync())!;
}

static List<(Guid Id, byte[] Secret)> Tickets(byte[] manifest)
{
    using var json = JsonDocument.Parse(manifest);
    return [.. json.RootElement.GetProperty("tickets").EnumerateArray().Where(t => t.TryGetProperty("secret", out _))
        .Select(t => (t.GetProperty("id").GetGuid(), Base64Url.DecodeFromChars(t.GetProperty("secret").GetString()!)))];
}

internal sealed record Run(List<double> Latencies, int Failures, TimeSpan Elapsed);

internal static class BenchTypes
{
    public static readonly Guid Ga = Guid.NewGuid();
}
