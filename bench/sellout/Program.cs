using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TicketToken.Bench;
using TicketToken.Bench.Sellout;
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

// A whole sell-out, twice on the same host and database: the platform (inventory's actors, the purchase saga,
// payments through Stripe.net on the simulated gateway and its signed webhooks, tickets) and the older platform's way
// (row per seat, one synchronous order-and-payment request). Every fan loops until every seat is sold.
const string Usage = """
    dotnet run -c Release --project bench/sellout [-- options]
      --seats 20000        seats in the venue (40 sections of 25-seat rows)
      --fans 1000          buyers (each signs in through identity first: about a minute of PBKDF2 for 1,000)
      --warmup-seats 2000  an unmeasured sell-out of this many seats per system first (JIT, pools)
      --only both          platform | baseline | both
      --top 25             statements listed in the profile (by calls per purchase)
      --auto-prepare 64    Npgsql's Max Auto Prepare for every statement of the host (the host's default; 0: off)
      --jit-log            list what the JIT compiled during the measured sale, by namespace and by method
    """;
var options = new Arguments(args);
if (options.WantsHelp)
{
    Console.WriteLine(Usage);
    return 0;
}

var seats = options.Number("--seats", 20_000);
var fans = options.Number("--fans", 1_000);
var warmUpSeats = options.Number("--warmup-seats", 2_000);
var top = options.Number("--top", 25);
var autoPrepare = options.Number("--auto-prepare", PostgresDataSources.DefaultMaxAutoPrepare);
var only = options.Text("--only", "both");
using var jitLog = options.Flag("--jit-log") ? new JitLog() : null;
const int Sections = 40;
Console.WriteLine($"TicketToken sell-out benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL with fsync on and pg_stat_statements; " +
    $"{seats:N0} seats in {Sections} sections, {fans:N0} fans; load average {Machine.LoadAverage()}");

await using var postgres = await BenchDatabase.StartAsync("sellout", statementStatistics: ["pg_stat_statements.track_utility=on", "pg_stat_statements.max=10000"]);
var settings = new Dictionary<string, string?>(TestHost.Defaults)
{
    ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
    ["TicketToken:Identity:AccessTokenLifetime"] = "01:00:00",
    ["TicketToken:Payments:Gateway"] = "simulated",
    ["TicketToken:Orders:TaxRates:DE"] = "1900",
    // The production lease, not the tests' 2 s (TestHost.Defaults): with purchases slower than the lease on a busy
    // machine, every in-flight purchase's watchdog fired every 2 s, about 3 reminder turns and deletes per purchase.
    ["TicketToken:Workflows:ActivityLease"] = "00:00:30",
};
await using var host = await TestHost.StartAsync(
    [new IdentityModule(), new InventoryModule(), new OrdersModule(), new PaymentsModule(), new TicketsModule(), new BaselineModule()], postgres.WithAutoPrepare(autoPrepare), settings);
var tokens = await Fans.SignInAsync(host.Client, fans, "sellout");
using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

var systems = new List<ISellingSystem>();
if (only is "both" or "platform")
{
    systems.Add(new PlatformSystem(client));
}

if (only is "both" or "baseline")
{
    systems.Add(new BaselineSystem(client, host.Services.GetRequiredKeyedService<NpgsqlDataSource>(BaselineModule.Id)));
}

var results = new List<(SaleResult Sale, StatementProfile.Window Cost, IReadOnlyList<string> Problems, string Load)>();
foreach (var system in systems)
{
    var warmUp = await PrepareAsync(host, system, warmUpSeats);
    var warm = await new Sale(system, tokens, Sections).RunAsync(warmUp, quiet: true);
    Console.WriteLine($"warm-up sell-out, {system.Name}: {warm.SeatsBought:N0} seats in {warm.SoldOutAfter.TotalSeconds:0.0} s");
    await Task.Delay(TimeSpan.FromSeconds(3)); // what the warm-up set in motion (ledger postings, ticket events) ends outside the window

    var eventId = await PrepareAsync(host, system, seats);
    Console.WriteLine();
    Console.WriteLine($"sell-out, {system.Name}: event {eventId}, load average {Machine.LoadAverage()}");
    var before = await StatementProfile.ReadAsync(postgres.ConnectionString, postgres.DataDirectory, reset: true);
    var (jitMethods, jitTime, cpu) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime(), Environment.CpuUsage.TotalTime);
    jitLog?.Start();
    var sale = await new Sale(system, tokens, Sections).RunAsync(eventId, quiet: false);
    jitLog?.Stop();
    // The JIT still at work during the measured sale (tiered compilation moving hot methods up) is CPU the sale does not get.
    var jit = (Methods: JitInfo.GetCompiledMethodCount() - jitMethods, Time: JitInfo.GetCompilationTime() - jitTime, Cpu: Environment.CpuUsage.TotalTime - cpu);
    var load = Machine.LoadAverage();
    await Task.Delay(TimeSpan.FromSeconds(3)); // let what the last answers set in motion (the ledger's posting) finish inside the window
    var after = await StatementProfile.ReadAsync(postgres.ConnectionString, postgres.DataDirectory, reset: false);
    var cost = StatementProfile.Between(before, after, sale.Purchases, BaselineSystem.SoldOutCheck);
    var problems = system is BaselineSystem
        ? await BaselineInvariantsAsync(host.Services.GetRequiredKeyedService<NpgsqlDataSource>(BaselineModule.Id), eventId, seats)
        : await PlatformInvariantsAsync(postgres.ConnectionString, host, eventId, seats);
    if (sale.DuplicateSeats > 0)
    {
        problems = [.. problems, $"{sale.DuplicateSeats} seat(s) were answered as bought twice"];
    }

    Console.WriteLine($"  sold out after {sale.SoldOutAfter.TotalSeconds:0.0} s: {sale.Purchases:N0} purchases, {sale.SeatsBought:N0} seats; load average at the end {load}");
    // Time inside the JIT is elapsed time summed over threads: on a quiet machine about its CPU, on a busy one also its waits for a core.
    Console.WriteLine($"  JIT during the sale: {jit.Methods:N0} methods compiled, {jit.Time.TotalSeconds:N1} s inside the JIT; the process used {jit.Cpu.TotalSeconds:N1} s of CPU");
    jitLog?.Print(top);
    cost.Print(top);
    results.Add((sale, cost, problems, load));
}

Console.WriteLine();
Console.WriteLine("| system | sold out after | purchases | purchases/s | hold -> tickets p50 / p99 (max) | statements / purchase | transactions / purchase (explicit) | WAL flushes / purchase | CPU / purchase (host + PostgreSQL) | failed | invariants | load average (1/5/15 min) at the end |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var (sale, cost, problems, load) in results)
{
    Console.WriteLine($"| {sale.System} | {sale.SoldOutAfter.TotalSeconds:0.0} s | {sale.Purchases:N0} | {sale.PurchasesPerSecond:N1} | {sale.At(0.50):0} / {sale.At(0.99):0} ms ({sale.At(1):0} ms) | " +
        $"{cost.StatementsPerPurchase:0.0} | {cost.CommitsPerPurchase:0.0} ({cost.ExplicitPerPurchase:0.0}) | {cost.WalSyncsPerPurchase:0.0} | {cost.HostCpuPerPurchase:0.0} + {cost.PostgresCpuPerPurchase:0.0} ms | {sale.Failures} | " +
        $"{(problems.Count == 0 ? "hold" : string.Join("; ", problems.Take(5)))} | {load} |");
}

if (results.Count == 2)
{
    Console.WriteLine();
    Console.WriteLine($"platform / baseline: {results[0].Sale.PurchasesPerSecond / results[1].Sale.PurchasesPerSecond:0.00}x purchases/s, " +
        $"sold out {results[1].Sale.SoldOutAfter / results[0].Sale.SoldOutAfter:0.00}x sooner");
}

var platform = results.Where(r => r.Sale.System.StartsWith("platform", StringComparison.Ordinal)).ToList();
if (platform.Count > 0)
{
    var verdict = seats < 20_000 ? "not judged below 20,000 seats"
        : platform.All(r => r.Sale.SoldOutAfter < TimeSpan.FromSeconds(60)) ? "met" : "MISSED";
    Console.WriteLine($"target: 20,000 seats sold out in under 60 s (>= 333 purchases/s): {verdict} " +
        $"({string.Join(", ", platform.Select(r => $"{r.Sale.SoldOutAfter.TotalSeconds:0.0} s, {r.Sale.PurchasesPerSecond:0.0}/s"))})");
}

return results.All(r => r.Problems.Count == 0 && r.Sale.Failures == 0) ? 0 : 1;

// A fresh event of 40 sections of 25-seat rows: published through pub/sub as catalog does (waits until inventory and
// orders know it), or seeded into the baseline's seat table.
static async Task<Guid> PrepareAsync(TestHost host, ISellingSystem system, int seats)
{
    var perSection = seats / Sections;
    var layout = Enumerable.Range(1, Sections).Select(s => (Code: $"S{s:00}", Seats: Enumerable.Range(0, perSection).Select(k => (Row: k / 25, Number: k % 25 + 1)).ToList())).ToList();
    var eventId = Guid.NewGuid();
    if (system is BaselineSystem)
    {
        await BaselineModule.Seats.SeedAsync(host.Services.GetRequiredKeyedService<NpgsqlDataSource>(BaselineModule.Id), eventId,
            layout.SelectMany(s => s.Seats.Select(seat => ($"{s.Code}-{seat.Row + 1}-{seat.Number}", s.Code, seat.Row, seat.Number))));
        return eventId;
    }

    var now = DateTimeOffset.UtcNow;
    var sections = layout.Select(s => new PublishedSection(s.Code, $"Block {s.Code}", [.. s.Seats.GroupBy(seat => seat.Row).Select(row =>
        new PublishedRow($"{row.Key + 1}", row.Key, [.. row.Select(seat => new PublishedSeat($"{s.Code}-{row.Key + 1}-{seat.Number}", $"{seat.Number}", "A", false, false, false, seat.Number, row.Key))]))])).ToList();
    var published = new EventPublished(eventId, Guid.NewGuid(), Guid.NewGuid(), "Sell-out bench", now.AddDays(30), now.AddDays(30).AddHours(3), "Europe/Berlin", "EUR",
        now.AddMinutes(-5), now.AddDays(1), new PurchaseLimits(8, 1_000_000), sections,
        [new(Guid.NewGuid(), "Seat", PublishedTicketType.Reserved, "A", null, BaselineModule.PricePerSeat)], new ResalePolicy(false, null, 0), 1) { VenueCountry = "DE" };
    await host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, published);
    await using var db = NpgsqlDataSource.Create(host.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["TicketToken:Postgres"]!);
    await Eventually.TrueAsync(async () =>
    {
        using var response = await host.Client.GetAsync($"/api/inventory/events/{eventId}/availability");
        await using var command = db.CreateCommand("select count(*) from orders.ticket_prices where event_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        return response.StatusCode == HttpStatusCode.OK && (long)(await command.ExecuteScalarAsync())! == 1;
    }, "inventory and orders know the event", TimeSpan.FromSeconds(120));
    return eventId;
}

// The money and ticket invariants (PurchaseInvariants: no seat with two live tickets, live tickets = sold seats, every
// succeeded payment has tickets or a refund, the ledger sums to zero), and that every seat was sold.
static async Task<IReadOnlyList<string>> PlatformInvariantsAsync(string connectionString, TestHost host, Guid eventId, int seats)
{
    var problems = (await PurchaseInvariants.CheckAsync(connectionString, host.Client, eventId)).ToList();
    await using var db = NpgsqlDataSource.Create(connectionString);
    await using var command = db.CreateCommand("select count(*) from tickets.tickets where event_id = $1 and status in ('issued', 'active', 'checked_in')");
    command.Parameters.Add(new NpgsqlParameter { Value = eventId });
    var ticketed = (long)(await command.ExecuteScalarAsync())!;
    if (ticketed != seats)
    {
        problems.Add($"{ticketed:N0} live tickets for {seats:N0} seats: not sold out");
    }

    return problems;
}

// The same invariants for the baseline's tables.
static async Task<IReadOnlyList<string>> BaselineInvariantsAsync(NpgsqlDataSource db, Guid eventId, int seats)
{
    var problems = new List<string>();
    async Task<long> CountAsync(string sql)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    const string S = BaselineModule.Schema;
    if (await CountAsync($"select count(*) from (select seat_id from {S}.tickets where event_id = $1 group by seat_id having count(*) > 1) twice") is > 0 and var twice)
    {
        problems.Add($"{twice} seat(s) with two tickets");
    }

    if (await CountAsync($"select count(*) from {S}.seats s where s.event_id = $1 and s.status = 'sold' and not exists (select 1 from {S}.tickets t where t.event_id = s.event_id and t.seat_id = s.seat_id and t.order_id = s.order_id)") is > 0 and var unticketed)
    {
        problems.Add($"{unticketed} sold seat(s) without their order's ticket");
    }

    if (await CountAsync($"select count(*) from {S}.tickets t where t.event_id = $1 and not exists (select 1 from {S}.seats s where s.event_id = t.event_id and s.seat_id = t.seat_id and s.status = 'sold' and s.order_id = t.order_id)") is > 0 and var unsold)
    {
        problems.Add($"{unsold} ticket(s) for seats not sold to their order");
    }

    if (await CountAsync($"select count(*) from {S}.payments p join {S}.orders o on o.id = p.order_id where o.event_id = $1 and p.status = 'succeeded' and not exists (select 1 from {S}.tickets t where t.order_id = o.id)") is > 0 and var unaccounted)
    {
        problems.Add($"{unaccounted} succeeded payment(s) without tickets");
    }

    if (await CountAsync($"select count(*) from (select transaction_id from {S}.journal_entries group by transaction_id having sum(amount) <> 0) unbalanced where $1 is not null") is > 0 and var unbalanced)
    {
        problems.Add($"{unbalanced} ledger transaction(s) do not sum to zero");
    }

    if (await CountAsync($"select count(*) from {S}.seats where event_id = $1 and status = 'sold'") is var sold && sold != seats)
    {
        problems.Add($"{sold:N0} of {seats:N0} seats sold: not sold out");
    }

    return problems;
}
