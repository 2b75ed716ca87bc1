using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

// The mass refund of issue 18: an event with thousands of paid orders (bought through the API: hold, checkout, pay on
// the simulated gateway, confirmed with tickets) is cancelled, and the clock runs until every order is refunded. The
// host is the real executable in a child process; in the middle it is killed with SIGKILL and started again. Where the
// kill lands is not left to timing: the orders module's fault point StallRefundsAfter lets the first N refunds finish
// and stops every later one right after the gateway paid the money back and before its order recorded it, so the
// kill hits the most delicate moment of every unfinished refund. Afterwards: no order refunded twice at the gateway,
// every order refunded, each sale reversed once in the ledger, and the ledger sums to zero.
const string Usage = """
    dotnet run -c Release --project bench/massrefund [-- options]
      --orders 2000        paid orders of the event (one ticket each)
      --buyers 50          fans buying them at the same time
      --kill-after 1000    refunds that finish before the kill (0: no kill, for the time without one)
      --activities 4096    workflow activities running at once in the host with the fault point, before the kill
                           (TicketToken:Workflows:MaxConcurrentActivities; the restarted host has the default, 256)
      --fee-policy refund  the organizer's fee policy for the cancellation: refund | keep
    """;
if (args.Contains("--help"))
{
    Console.WriteLine(Usage);
    return 0;
}

string Text(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
int Option(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var orderCount = Option("--orders", 2000);
var buyers = Math.Min(Option("--buyers", 50), orderCount);
var killAfter = Option("--kill-after", 1000);
var feePolicy = Text("--fee-policy", "refund");
var activities = Option("--activities", 4096);
if (killAfter >= orderCount)
{
    Console.Error.WriteLine("--kill-after must be below --orders: the kill has to land while refunds are unfinished.");
    return 2;
}

Console.WriteLine($"TicketToken mass-refund benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL with fsync on; " +
    $"{orderCount} paid orders, {(killAfter > 0 ? $"SIGKILL after {killAfter} refunds" : "no kill")}, fee policy {feePolicy}; load average {LoadAverage()}");

var directory = Path.Combine(Path.GetTempPath(), "tickettoken-massrefund-" + Guid.NewGuid().ToString("N"));
var postgres = await LocalPostgres.StartAsync(directory, port: 0, ephemeral: false, database: "massrefund");
ChildHost? host = null;
try
{
    var settings = new Dictionary<string, string?>
    {
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "1000000",
        ["TicketToken:Identity:AccessTokenLifetime"] = "02:00:00",
        ["TicketToken:Payments:Gateway"] = "simulated",
        ["TicketToken:Payments:WebhookSecret"] = "whsec_bench_massrefund",
        ["TicketToken:Orders:TaxRates:DE"] = "1900",
    };
    async Task<ChildHost> StartHostAsync(int? stallRefundsAfter)
    {
        // A stuck refund keeps its activity slot. With fewer slots than stuck refunds, the slots could all be taken by
        // stuck ones while a refund of the first killAfter still waits for one to record itself: so the host with the
        // fault point gets enough of them; the restarted host runs with the default like production.
        var environment = ChildHost.EnvironmentOf(TestHost.Defaults, settings, new Dictionary<string, string?>
        {
            ["TicketToken:Orders:StallRefundsAfter"] = stallRefundsAfter?.ToString(CultureInfo.InvariantCulture),
            ["TicketToken:Workflows:MaxConcurrentActivities"] = stallRefundsAfter is null ? null : activities.ToString(CultureInfo.InvariantCulture),
        });
        environment["TICKETTOKEN__SERVICES"] = "identity,catalog,inventory,orders,payments,tickets";
        environment["TICKETTOKEN__POSTGRES"] = postgres.ConnectionString;
        return await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), environment, TimeSpan.FromMinutes(5));
    }

    host = await StartHostAsync(killAfter > 0 ? killAfter : null);
    await using var db = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString);
    async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, CultureInfo.InvariantCulture);
    }

    var personas = new Personas(host.Client);
    var (admin, organizerId) = await personas.OrganizerAdminAsync("Mass Refund Live");
    var eventId = await OnSaleEventAsync(host.Client, admin, organizerId, orderCount);
    Guid? ticketTypeId = null;
    await Eventually.TrueAsync(async () =>
    {
        await using var command = db.CreateCommand("select ticket_type_id from orders.ticket_prices where event_id = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventId });
        return (ticketTypeId = await command.ExecuteScalarAsync() as Guid?) is not null;
    }, "orders knows the event's ticket type", TimeSpan.FromMinutes(2));

    var floor = ticketTypeId!.Value;
    var tokens = new string[buyers];
    await Parallel.ForEachAsync(Enumerable.Range(0, buyers), new ParallelOptions { MaxDegreeOfParallelism = 8 },
        async (i, _) => tokens[i] = (await personas.FanAsync(Personas.NewEmail($"buyer{i}"))).AccessToken);
    using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    var buying = Stopwatch.StartNew();
    var next = 0;
    await Task.WhenAll(tokens.Select(token => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) <= orderCount)
        {
            await BuyAsync(client, token, eventId, floor);
        }
    })));
    Console.WriteLine($"{orderCount} orders paid and confirmed in {buying.Elapsed.TotalSeconds:0} s");
    await Eventually.TrueAsync(async () => await CountAsync(
        "select count(*) from payments.journal_transactions t join orders.orders o on o.id = t.order_id where t.source_type = 'order_sale' and o.event_id = $1", eventId) == orderCount,
        "the ledger posted every sale", TimeSpan.FromMinutes(5));
    var paid = await CountAsync("select sum(total) from orders.orders where event_id = $1 and status = 'confirmed'", eventId);

    async Task<long> RefundedAsync() => await CountAsync(
        "select count(*) from orders.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1 and r.cause = 'event_cancelled' and r.status = 'succeeded'", eventId);
    var loadBefore = LoadAverage();
    var clock = Stopwatch.StartNew();
    using (var cancel = await SendAsync(host.Client, admin.AccessToken, HttpMethod.Post, $"/api/events/{eventId}/cancel", new { reason = "The venue flooded.", feePolicy }))
    {
        await JsonAsync(cancel, HttpStatusCode.OK);
    }

    TimeSpan? killedAt = null, readyAt = null;
    if (killAfter > 0)
    {
        // The first killAfter refunds are finished; after them every refund that starts stops between the gateway's answer
        // and its order's record, and keeps its activity slot, so exactly min(activities, the rest) are stuck there and
        // the others have not started: that is the moment to die, and it arrives whatever the machine's speed.
        var stuck = Math.Min(activities, orderCount - killAfter);
        await Eventually.TrueAsync(async () => await RefundedAsync() == killAfter
            && await CountAsync("select count(distinct r.order_id) from payments.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1", eventId) == killAfter + stuck,
            "the first refunds finished and the next ones stopped after the gateway refunded them", TimeSpan.FromMinutes(20));
        killedAt = clock.Elapsed;
        await host.KillAsync();
        await host.DisposeAsync();
        host = await StartHostAsync(null);
        readyAt = clock.Elapsed;
    }

    await Eventually.TrueAsync(async () => await RefundedAsync() == orderCount, "every order is refunded", TimeSpan.FromMinutes(30));
    var elapsed = clock.Elapsed;
    var loadAfter = LoadAverage();
    using (var progress = await SendAsync(host.Client, admin.AccessToken, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/events/{eventId}/cancellation", null))
    {
        var body = await JsonAsync(progress, HttpStatusCode.OK);
        Console.WriteLine($"the organizer's progress: {body.GetProperty("refunded").GetInt32()} refunded, {body.GetProperty("pending").GetInt32()} pending, " +
            $"{body.GetProperty("failed").GetInt32()} failed, {body.GetProperty("amountRefunded").GetInt64()} of {paid} minor units refunded");
    }

    // The ledger posts refunds from orders.order-refunded, after the order reads refunded.
    await Eventually.TrueAsync(async () => await CountAsync(
        "select count(*) from payments.journal_transactions t join orders.orders o on o.id = t.order_id where t.source_type = 'order_refund' and o.event_id = $1", eventId) == orderCount,
        "the ledger reversed every sale", TimeSpan.FromMinutes(5));
    var problems = new List<string>();
    void Expect(long actual, long expected, string what)
    {
        if (actual != expected)
        {
            problems.Add($"{what}: {actual}, expected {expected}");
        }
    }

    Expect(await CountAsync("select count(*) from (select r.order_id from payments.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1 group by r.order_id having count(*) > 1) twice", eventId),
        0, "orders refunded twice at the gateway");
    Expect(await CountAsync("select count(*) from orders.orders where event_id = $1 and status = 'refunded'", eventId), orderCount, "orders refunded");
    Expect(await CountAsync("select count(*) from orders.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1", eventId), orderCount, "refunds recorded by orders");
    Expect(await CountAsync("select coalesce(sum(r.amount), 0) from payments.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1 and r.status = 'succeeded'", eventId),
        feePolicy == "refund" ? paid : await CountAsync("select coalesce(sum(r.amount), 0) from orders.refunds r join orders.orders o on o.id = r.order_id where o.event_id = $1", eventId),
        "money the gateway paid back");
    Expect(await CountAsync("select count(*) from payments.journal_transactions t join orders.orders o on o.id = t.order_id where t.source_type = 'order_refund' and o.event_id = $1", eventId),
        orderCount, "refunds posted to the ledger");
    Expect(await CountAsync("select coalesce(sum(amount), 0) from payments.journal_entries"), 0, "the ledger's sum");
    Expect(await CountAsync("select count(*) from tickets.tickets where event_id = $1 and status in ('issued', 'active')", eventId), 0, "tickets that would still admit");

    Console.WriteLine();
    Console.WriteLine("| paid orders | kill after (stuck at the gateway) | cancel -> kill | restart until ready | all refunded (from the cancel) | refunds/s | load average before / after | invariants |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {orderCount:N0} | {(killAfter > 0 ? $"{killAfter:N0} ({Math.Min(activities, orderCount - killAfter)})" : "no kill")} | " +
        $"{(killedAt is { } k ? $"{k.TotalSeconds:0.0} s" : "-")} | {(readyAt is { } r && killedAt is { } k2 ? $"{(r - k2).TotalSeconds:0.0} s" : "-")} | {elapsed.TotalSeconds:0.0} s | " +
        $"{orderCount / elapsed.TotalSeconds:0.0} | {loadBefore} / {loadAfter} | {(problems.Count == 0 ? "hold" : string.Join("; ", problems))} |");
    return problems.Count == 0 ? 0 : 1;
}
catch (Exception) when (host is not null)
{
    Console.Error.WriteLine("The host printed:\n" + string.Join('\n', host.Output.Split('\n').TakeLast(60)));
    throw;
}
finally
{
    if (host is not null)
    {
        await host.DisposeAsync();
    }

    await postgres.DisposeAsync();
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }

    File.Delete(directory + ".log");
    File.Delete(directory + ".lock");
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

// A general-admission event of the organizer through catalog's API, on sale now, with room for every order.
static async Task<Guid> OnSaleEventAsync(HttpClient client, Person admin, Guid organizerId, int capacity)
{
    using var venueResponse = await SendAsync(client, admin.AccessToken, HttpMethod.Post, "/api/venues", new
    {
        organizerId, name = "Flood Plain Arena", timeZone = "Europe/Berlin", capacity,
        address = new { line1 = "Deich 1", city = "Hamburg", postalCode = "20457", country = "DE" },
    });
    var venueId = (await JsonAsync(venueResponse, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    var startsAt = DateTimeOffset.UtcNow.AddDays(60);
    using var created = await SendAsync(client, admin.AccessToken, HttpMethod.Post, "/api/events", new
    {
        organizerId, venueId, name = "Riverside Festival", category = "festival", startsAt, endsAt = startsAt.AddHours(6), currency = "EUR",
        limits = new { perOrder = 10, perAccount = 1000 },
        ticketTypes = new[] { new { name = "Floor", kind = "general_admission", priceMinor = 4_900L, capacity } },
    });
    var eventId = (await JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetGuid();
    using (var publish = await SendAsync(client, admin.AccessToken, HttpMethod.Post, $"/api/events/{eventId}/publish", null))
    {
        await JsonAsync(publish, HttpStatusCode.OK);
    }

    using (var open = await SendAsync(client, admin.AccessToken, HttpMethod.Post, $"/api/events/{eventId}/open-sales", null))
    {
        await JsonAsync(open, HttpStatusCode.OK);
    }

    await Eventually.TrueAsync(async () =>
    {
        using var availability = await client.GetAsync($"/api/inventory/events/{eventId}/availability");
        return availability.StatusCode == HttpStatusCode.OK;
    }, "inventory knows the published event", TimeSpan.FromMinutes(2));
    return eventId;
}

// One paid order of one ticket: hold, checkout, the intent's client secret, the card, and the wait for "confirmed".
static async Task BuyAsync(HttpClient client, string token, Guid eventId, Guid ticketTypeId)
{
    using var hold = await SendAsync(client, token, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds",
        new { generalAdmission = new[] { new { ticketTypeId, quantity = 1 } } });
    var holdId = (await JsonAsync(hold, HttpStatusCode.Created)).GetProperty("holdId").GetGuid();
    using var checkout = await SendAsync(client, token, HttpMethod.Post, "/api/orders", new { eventId, holdId }, Guid.NewGuid().ToString());
    var orderId = (await JsonAsync(checkout, HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
    var (order, etag) = await NextAsync(client, token, orderId, null);
    while (order.GetProperty("payment") is not { ValueKind: JsonValueKind.Object } payment || payment.GetProperty("clientSecret").ValueKind != JsonValueKind.String)
    {
        (order, etag) = await NextAsync(client, token, orderId, etag);
    }

    var pay = order.GetProperty("payment");
    using var confirm = await SendAsync(client, token, HttpMethod.Post, $"/api/payments/simulated/payment-intents/{pay.GetProperty("paymentIntentId").GetString()}/confirm",
        new { clientSecret = pay.GetProperty("clientSecret").GetString(), cardNumber = "4242424242424242" });
    await JsonAsync(confirm, HttpStatusCode.OK);
    while (order.GetProperty("status").GetString() != "confirmed")
    {
        if (order.GetProperty("status").GetString() is "failed" or "expired" or "cancelled")
        {
            throw new InvalidOperationException($"order {orderId} ended {order.GetProperty("status").GetString()}");
        }

        (order, etag) = await NextAsync(client, token, orderId, etag);
    }
}

// The order's next state: a request that waits for a change of the ETag it was given (answered 304 after 10 s without one).
static async Task<(JsonElement Order, string? ETag)> NextAsync(HttpClient client, string token, Guid orderId, string? etag)
{
    while (true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{orderId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (etag is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            request.Headers.TryAddWithoutValidation("Prefer", "wait=10");
        }

        using var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.NotModified)
        {
            return (await JsonAsync(response, HttpStatusCode.OK), response.Headers.ETag?.Tag);
        }
    }
}

static async Task<HttpResponseMessage> SendAsync(HttpClient client, string token, HttpMethod method, string path, object? body, string? idempotencyKey = null)
{
    using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (idempotencyKey is not null)
    {
        request.Headers.Add("Idempotency-Key", idempotencyKey);
    }

    return await client.SendAsync(request);
}

static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
{
    var text = await response.Content.ReadAsStringAsync();
    return response.StatusCode == expected
        ? JsonDocument.Parse(text).RootElement.Clone()
        : throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {text}");
}
