using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TicketToken.Bench.Sellout;

/// <summary>How one system sells: a purchase of the best <c>quantity</c> seats of a section, or null when refused.</summary>
public interface ISellingSystem
{
    string Name { get; }

    /// <summary>Holds, pays and waits for the tickets; the seats bought, or null when the section had no such seats.</summary>
    Task<IReadOnlyList<string>?> BuyAsync(string token, Guid eventId, string section, int quantity);

    /// <summary>
    /// After a refusal of one seat: whether the section really has none left. Inventory's section actor decides one
    /// request at a time, so its refusal is the answer; the baseline's <c>skip locked</c> also refuses while other
    /// transactions hold the last seats' row locks, so the fan looks before it gives the section up.
    /// </summary>
    Task<bool> SoldOutAsync(Guid eventId, string section);
}

public sealed record SaleResult(string System, TimeSpan SoldOutAfter, int Purchases, int SeatsBought, int Failures, IReadOnlyList<double> Completions, int DuplicateSeats)
{
    public double PurchasesPerSecond => Purchases / SoldOutAfter.TotalSeconds;

    public double At(double p)
    {
        var sorted = Completions.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}

/// <summary>
/// One sell-out: every fan loops (pick a section that is not known to be sold out, ask for the best 2 seats there,
/// after a refusal settle for 1, after a refusal of 1 the section is sold out for everyone) until every section is
/// sold out. A purchase's time runs from the hold request to the answer that shows its tickets.
/// </summary>
public sealed class Sale(ISellingSystem system, IReadOnlyList<string> tokens, int sections)
{
    public async Task<SaleResult> RunAsync(Guid eventId, bool quiet)
    {
        var soldOut = new bool[sections];
        var open = sections;
        var completions = new List<double>[tokens.Count];
        var bought = new List<string>[tokens.Count];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        using var progress = quiet ? null : new Timer(_ =>
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0} s: {completions.Sum(c => c?.Count ?? 0):N0} purchases, {Volatile.Read(ref open)} sections still selling"), null, 5_000, 5_000);
        await Task.WhenAll(tokens.Select((token, fan) => Task.Run(async () =>
        {
            var random = new Random(fan);
            var mine = completions[fan] = [];
            var seats = bought[fan] = [];
            var quantity = 2;
            var section = -1;
            while (Volatile.Read(ref open) > 0)
            {
                if (section < 0 || Volatile.Read(ref soldOut[section]))
                {
                    var candidates = Enumerable.Range(0, sections).Where(s => !Volatile.Read(ref soldOut[s])).ToList();
                    if (candidates.Count == 0)
                    {
                        break;
                    }

                    section = candidates[random.Next(candidates.Count)];
                    quantity = 2;
                }

                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (await system.BuyAsync(token, eventId, $"S{section + 1:00}", quantity) is { } got)
                    {
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        seats.AddRange(got);
                        section = -1; // next purchase: a fresh pick
                    }
                    else if (quantity > 1)
                    {
                        quantity = 1;
                    }
                    else if (await system.SoldOutAsync(eventId, $"S{section + 1:00}") && !Interlocked.Exchange(ref soldOut[section], true))
                    {
                        Interlocked.Decrement(ref open);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException or JsonException)
                {
                    if (Interlocked.Increment(ref failures) <= 5)
                    {
                        Console.WriteLine($"  {system.Name}: a purchase failed: {ex.Message}");
                    }

                    section = -1;
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var all = bought.SelectMany(b => b).ToList();
        return new SaleResult(system.Name, elapsed, completions.Sum(c => c.Count), all.Count, failures, [.. completions.SelectMany(c => c)], all.Count - all.Distinct().Count());
    }
}

/// <summary>The platform: inventory's hold, orders' checkout saga, payments through Stripe.net on the simulated gateway and its webhook, tickets.</summary>
public sealed class PlatformSystem(HttpClient client) : ISellingSystem
{
    public string Name => "platform (actors + purchase saga)";

    public Task<bool> SoldOutAsync(Guid eventId, string section) => Task.FromResult(true);

    public async Task<IReadOnlyList<string>?> BuyAsync(string token, Guid eventId, string section, int quantity)
    {
        using var hold = await Http.SendAsync(client, token, HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { best = new { quantity, section } });
        if (hold.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        var held = await Http.Json(hold, HttpStatusCode.Created);
        var holdId = held.GetProperty("holdId").GetGuid();
        using var checkout = await Http.SendAsync(client, token, HttpMethod.Post, "/api/orders", new { eventId, holdId }, Guid.NewGuid().ToString());
        var orderId = (await Http.Json(checkout, HttpStatusCode.Accepted)).GetProperty("id").GetGuid();
        var (order, etag) = await Http.NextOrderAsync(client, token, orderId, null);
        while (order.GetProperty("payment") is not { ValueKind: JsonValueKind.Object } payment || payment.GetProperty("clientSecret").ValueKind != JsonValueKind.String)
        {
            ThrowIfEnded(order, orderId);
            (order, etag) = await Http.NextOrderAsync(client, token, orderId, etag);
        }

        var pay = order.GetProperty("payment");
        using var confirm = await Http.SendAsync(client, token, HttpMethod.Post, $"/api/payments/simulated/payment-intents/{pay.GetProperty("paymentIntentId").GetString()}/confirm",
            new { clientSecret = pay.GetProperty("clientSecret").GetString(), cardNumber = "4242424242424242" });
        await Http.Json(confirm, HttpStatusCode.OK);
        while (order.GetProperty("status").GetString() != "confirmed")
        {
            (order, etag) = await Http.NextOrderAsync(client, token, orderId, etag);
            ThrowIfEnded(order, orderId);
        }

        return [.. held.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
    }

    private static void ThrowIfEnded(JsonElement order, Guid orderId)
    {
        if (order.GetProperty("status").GetString() is { } status && status is "failed" or "expired" or "cancelled")
        {
            throw new InvalidOperationException($"order {orderId} ended {status}");
        }
    }
}

/// <summary>The older platform's way: a row-per-seat hold, then one synchronous request for order, payment and tickets.</summary>
public sealed class BaselineSystem(HttpClient client, Npgsql.NpgsqlDataSource database) : ISellingSystem
{
    public string Name => "baseline (row per seat, synchronous order + payment)";

    /// <summary>Marks the benchmark's own look at the seats, which the profile leaves out.</summary>
    public const string SoldOutCheck = "/* sold-out check */";

    public async Task<bool> SoldOutAsync(Guid eventId, string section)
    {
        await using var command = database.CreateCommand($"{SoldOutCheck} select not exists (select 1 from {BaselineModule.Schema}.seats where event_id = $1 and section = $2 and status = 'available')");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = eventId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = section });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<string>?> BuyAsync(string token, Guid eventId, string section, int quantity)
    {
        using var hold = await Http.SendAsync(client, token, HttpMethod.Post, $"/bench/sellout/events/{eventId}/holds", new { quantity, section });
        if (hold.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }

        var holdId = (await Http.Json(hold, HttpStatusCode.Created)).GetProperty("holdId").GetGuid();
        using var purchase = await Http.SendAsync(client, token, HttpMethod.Post, "/bench/sellout/orders",
            new { eventId, holdId, cardNumber = "4242424242424242" }, Guid.NewGuid().ToString());
        return [.. (await Http.Json(purchase, HttpStatusCode.Created)).GetProperty("tickets").EnumerateArray().Select(t => t.GetString()!)];
    }
}
