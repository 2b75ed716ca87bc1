using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.Bench;
using TicketToken.BuildingBlocks.Data;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Orders;
using TicketToken.Payments;
using TicketToken.Testing;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;
using Http = TicketToken.Bench.Http;

// Purchases end to end: each virtual fan holds two seats, checks out, pays with a test card on the simulated
// gateway (whose outcome comes back as a signed webhook), and polls its order until it is confirmed with tickets;
// then it buys again. Completion time runs from the hold request to the poll that sees "confirmed".
const string Usage = """
    dotnet run -c Release --project bench/purchase [-- options]
      --fans 100         concurrent buyers (each signs in through identity first)
      --seconds 30       how long buyers keep buying, measured
      --warmup 30        how long they buy first, not measured (JIT tiers settle, pools fill)
      --poll-ms 0        0: a buyer waits for its order to change (ETag + Prefer: wait); N: polls it every N ms instead
      --seats 20000      seats in the venue (40 sections), enough that nobody runs out
      --auto-prepare 64  Npgsql's Max Auto Prepare for every statement of the host (the host's default; 0: off)
    """;
var options = new Arguments(args);
if (options.WantsHelp)
{
    Console.WriteLine(Usage);
    return 0;
}

var fans = options.Number("--fans", 100);
var seconds = options.Number("--seconds", 30);
var pollMs = options.Number("--poll-ms", 0);
var seats = options.Number("--seats", 20_000);
var warmUpSeconds = options.Number("--warmup", 30);
var autoPrepare = options.Number("--auto-prepare", PostgresDataSources.DefaultMaxAutoPrepare);
Console.WriteLine($"TicketToken purchase benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL with fsync on; " +
    $"{fans} buyers, {seconds} s, {(pollMs == 0 ? "waiting on order changes" : $"polling every {pollMs} ms")}");

await using var postgres = await BenchDatabase.StartAsync("purchase");
var settings = new Dictionary<string, string?>(TestHost.Defaults)
{
    ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
    ["TicketToken:Identity:AccessTokenLifetime"] = "01:00:00",
    ["TicketToken:Payments:Gateway"] = "simulated",
    ["TicketToken:Orders:TaxRates:DE"] = "1900",
};
await using var host = await TestHost.StartAsync(
    [new IdentityModule(), new InventoryModule(), new OrdersModule(), new PaymentsModule(), new TicketsModule()], postgres.WithAutoPrepare(autoPrepare), settings);
var tokens = await Fans.SignInAsync(host.Client, fans, "buyer");
using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

var warmUp = await PublishAsync(host, seats);
await RunAsync(client, tokens, warmUp, TimeSpan.FromSeconds(warmUpSeconds), pollMs, seats / 40);
Console.WriteLine("warm-up done");
var eventId = await PublishAsync(host, seats);
var costBefore = await Cost.ReadAsync(postgres.ConnectionString, postgres.DataDirectory);
var result = await RunAsync(client, tokens, eventId, TimeSpan.FromSeconds(seconds), pollMs, seats / 40);
var costAfter = await Cost.ReadAsync(postgres.ConnectionString, postgres.DataDirectory);
await Task.Delay(TimeSpan.FromSeconds(2)); // let what the last answers set in motion (the ledger's posting) finish
var problems = await PurchaseInvariants.CheckAsync(postgres.ConnectionString, host.Client, eventId);

var sorted = result.Completions.Order().ToList();
double At(double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
Console.WriteLine();
Console.WriteLine("| buyers | purchases confirmed | purchases/s | completion p50 / p95 / p99 (max) | not confirmed | invariants |");
Console.WriteLine("|---|---|---|---|---|---|");
Console.WriteLine($"| {fans} | {sorted.Count:N0} | {sorted.Count / result.Elapsed.TotalSeconds:N1} | {At(0.50):0} / {At(0.95):0} / {At(0.99):0} ms ({(sorted.Count == 0 ? 0 : sorted[^1]):0} ms) | " +
    $"{result.Failures} | {(problems.Count == 0 ? "hold" : string.Join("; ", problems.Take(5)))} |");
await StagesAsync(postgres.ConnectionString, eventId);
if (sorted.Count > 0)
{
    // What one purchase costs, whatever else the machine is doing: CPU of this process (host and buyers) and of
    // PostgreSQL, and the database's commits and statements, divided by the purchases confirmed in the window.
    var n = (double)sorted.Count;
    Console.WriteLine($"per purchase: CPU {(costAfter.ProcessCpuMs - costBefore.ProcessCpuMs) / n:0.0} ms in the host and buyers + " +
        $"{(costAfter.PostgresCpuMs - costBefore.PostgresCpuMs) / n:0.0} ms in PostgreSQL; {(costAfter.Commits - costBefore.Commits) / n:0.0} commits, " +
        $"{(costAfter.RowsWritten - costBefore.RowsWritten) / n:0.0} rows written, {(costAfter.RowsRead - costBefore.RowsRead) / n:0.0} rows read");
}
return problems.Count == 0 && result.Failures == 0 ? 0 : 1;

// Where a purchase's time goes, from the rows each module wrote (averages over the measured event's confirmed orders).
static async Task StagesAsync(string connectionString, Guid eventId)
{
    await using var db = Npgsql.NpgsqlDataSource.Create(connectionString);
    await using var command = db.CreateCommand("""
        select avg(extract(epoch from p.created_at - o.created_at)) * 1000,
               avg(extract(epoch from w.received_at - p.created_at)) * 1000,
               avg(extract(epoch from t.issued_at - w.received_at)) * 1000,
               avg(extract(epoch from o.confirmed_at - t.issued_at)) * 1000
        from orders.orders o
        join payments.payments p on p.order_id = o.id
        join lateral (select min(received_at) received_at from payments.webhook_events e where e.type = 'payment_intent.succeeded' and e.payload::text like '%' || p.intent_id || '%') w on true
        join lateral (select min(issued_at) issued_at from tickets.tickets t where t.order_id = o.id) t on true
        where o.event_id = $1 and o.status = 'confirmed'
        """);
    command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventId });
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    string Ms(int i) => reader.IsDBNull(i) ? "-" : $"{reader.GetDouble(i):0} ms";
    Console.WriteLine($"stages (averages): order placed -> intent created {Ms(0)}; intent created -> success webhook received {Ms(1)} (includes the buyer's poll and confirm); " +
        $"webhook -> tickets issued {Ms(2)}; tickets issued -> order confirmed {Ms(3)}");
}

// A fresh event of 40 sections of 25-seat rows, published through pub/sub as catalog does; waits until inventory and orders know it.
static async Task<Guid> PublishAsync(TestHost host, int seats)
{
    var now = DateTimeOffset.UtcNow;
    var perSection = seats / 40;
    var sections = Enumerable.Range(1, 40).Select(s => new PublishedSection($"S{s:00}", $"Block {s}", [.. Enumerable.Range(0, perSection / 25).Select(r =>
        new PublishedRow($"{r + 1}", r, [.. Enumerable.Range(1, 25).Select(n => new PublishedSeat($"S{s:00}-{r + 1}-{n}", $"{n}", "A", false, false, false, n, r))]))])).ToList();
    var published = new EventPublished(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "Purchase bench", now.AddDays(30), now.AddDays(30).AddHours(3), "Europe/Berlin", "EUR",
        now.AddMinutes(-5), now.AddDays(1), new PurchaseLimits(8, 100_000), sections,
        [new(Guid.NewGuid(), "Seat", PublishedTicketType.Reserved, "A", null, 5_000)], new ResalePolicy(false, null, 0), 1) { VenueCountry = "DE" };
    await host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, published);
    using var db = Npgsql.NpgsqlDataSource.Create(host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["TicketToken:Postgres"]!);
    await Eventually.TrueAsync(async () =>
    {
        using var response = await host.Client.GetAsync($"/api/inventory/events/{published.EventId}/availability");
        await using var command = db.CreateCommand("select count(*) from orders.ticket_prices where event_id = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = published.EventId });
        return response.StatusCode == HttpStatusCode.OK && (long)(await command.ExecuteScalarAsync())! == 1;
    }, "inventory and orders know the event", TimeSpan.FromSeconds(60));
    return published.EventId;
}

static async Task<(List<double> Completions, int Failures, TimeSpan Elapsed)> RunAsync(HttpClient client, string[] tokens, Guid eventId, TimeSpan duration, int pollMs,
    int seatsPerSection)
{
    var completions = new List<double>[tokens.Length];
    var failures = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(tokens.Select((token, fan) => Task.Run(async () =>
    {
        var random = new Random(fan);
        var mine = completions[fan] = [];
        while (clock.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                if (await BuyAsync(client, token, eventId, $"S{random.Next(1, 41):00}", pollMs))
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
            catch (Exception ex)
            {
                if (Interlocked.Increment(ref failures) <= 5)
                {
                    Console.WriteLine($"  a purchase failed: {ex.Message}");
                }
            }
        }
    })));
    return ([.. completions.SelectMany(c => c)], failures, clock.Elapsed);
}

// One purchase; false when the section had no two adjacent seats left (the buyer tries another).
static async Task<bool> BuyAsync(HttpClient client, string token, Guid eventId, string section, int pollMs)
{
    using var hold = await Http.SendAsync(client, token, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { best = new { quantity = 2, section } });
    if (hold.StatusCode == HttpStatusCode.Conflict)
    {
        return false;
    }

    var holdId = (await Http.Json(hold, HttpStatusCode.Created)).GetProperty("holdId").GetGuid();
    using var checkout = await Http.SendAsync(client, token, HttpMethod.Post, "/api/orders", new { eventId, holdId }, Guid.NewGuid().ToString());
    var orderId = (await Http.Json(checkout, HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
    var (order, etag) = await Http.NextOrderAsync(client, token, orderId, null, pollMs);
    while (order.GetProperty("payment") is not { ValueKind: JsonValueKind.Object } payment || payment.GetProperty("clientSecret").ValueKind != JsonValueKind.String)
    {
        (order, etag) = await Http.NextOrderAsync(client, token, orderId, etag, pollMs);
    }

    var pay = order.GetProperty("payment");
    using var confirm = await Http.SendAsync(client, token, HttpMethod.Post, $"/api/payments/simulated/payment-intents/{pay.GetProperty("paymentIntentId").GetString()}/confirm",
        new { clientSecret = pay.GetProperty("clientSecret").GetString(), cardNumber = "4242424242424242" });
    await Http.Json(confirm, HttpStatusCode.OK);
    while (true)
    {
        (order, etag) = await Http.NextOrderAsync(client, token, orderId, etag, pollMs);
        var status = order.GetProperty("status").GetString();
        if (status == "confirmed")
        {
            return true;
        }

        if (status is "failed" or "expired" or "cancelled")
        {
            throw new InvalidOperationException($"order {orderId} ended {status}");
        }
    }
}

// Cumulative costs: CPU time of this process and of the PostgreSQL cluster in the data directory, and the database's
// commit and row counters.
sealed record Cost(double ProcessCpuMs, double PostgresCpuMs, long Commits, long RowsWritten, long RowsRead)
{
    public static async Task<Cost> ReadAsync(string connectionString, string dataDirectory)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand(
            "select xact_commit, tup_inserted + tup_updated + tup_deleted, tup_returned + tup_fetched from pg_stat_database where datname = current_database()");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (commits, written, read) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        return new Cost(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, Machine.ClusterCpuMs(dataDirectory), commits, written, read);
    }
}
