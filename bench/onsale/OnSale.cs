using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Bench.Onsale;

/// <summary>
/// A venue of <see cref="Sections"/> sections of <see cref="Rows"/> rows of <see cref="SeatsPerRow"/> seats; section 0
/// is the best. Seat ids are <c>{section}-{row}-{number}</c>, as catalog makes them.
/// </summary>
public sealed class Venue
{
    public Venue(int sections, int rows, int seatsPerRow)
    {
        Sections = sections;
        Rows = rows;
        SeatsPerRow = seatsPerRow;
        Codes = [.. Enumerable.Range(1, sections).Select(s => $"S{s:00}")];
        for (var s = 0; s < sections; s++)
        {
            for (var r = 0; r < rows; r++)
            {
                for (var n = 0; n < seatsPerRow; n++)
                {
                    SeatsById[SeatId(s, r, n)] = (s, r * seatsPerRow + n);
                }
            }
        }
    }

    public int Sections { get; }
    public int Rows { get; }
    public int SeatsPerRow { get; }
    public int SeatsPerSection => Rows * SeatsPerRow;
    public int Capacity => Sections * SeatsPerSection;
    public string[] Codes { get; }

    /// <summary>Section index and seat index within the section, by seat id.</summary>
    public Dictionary<string, (int Section, int Index)> SeatsById { get; } = new(StringComparer.Ordinal);

    public string SeatId(int section, int row, int number) => $"{Codes[section]}-{row + 1}-{number + 1}";

    public IEnumerable<(string SeatId, string Section, int Row, int Number)> AllSeats() =>
        from s in Enumerable.Range(0, Sections)
        from r in Enumerable.Range(0, Rows)
        from n in Enumerable.Range(0, SeatsPerRow)
        select (SeatId(s, r, n), Codes[s], r, n + 1);

    /// <summary>The event as catalog publishes it. The per-account limit is lifted: one virtual fan stands for many buyers in turn.</summary>
    public EventPublished Publish(Guid eventId)
    {
        var now = DateTimeOffset.UtcNow;
        var sections = Enumerable.Range(0, Sections).Select(s => new PublishedSection(Codes[s], $"Block {Codes[s]}",
            [.. Enumerable.Range(0, Rows).Select(r => new PublishedRow((r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), r,
                [.. Enumerable.Range(0, SeatsPerRow).Select(n => new PublishedSeat(SeatId(s, r, n), (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    s < Sections / 4 ? "A" : "B", false, false, false, s * (SeatsPerRow + 2) + n, r))]))])).ToList();
        return new EventPublished(eventId, Guid.NewGuid(), Guid.NewGuid(), "On-sale bench", now.AddDays(30), now.AddDays(30).AddHours(3), "Europe/Berlin", "EUR",
            now.AddMinutes(-5), now.AddDays(1), new PurchaseLimits(PerOrder: 8, PerAccount: 100_000), sections,
            [new(Guid.NewGuid(), "Front", PublishedTicketType.Reserved, "A", null, 9_000), new(Guid.NewGuid(), "Back", PublishedTicketType.Reserved, "B", null, 5_000)],
            new ResalePolicy(false, null, 0), 1);
    }
}

/// <summary>
/// What the fans know of the seat map: the seats they were told are theirs, shared by all of them (as a seat-map
/// refresh would show). It decides where fans look for seats, and catches a seat acknowledged twice.
/// </summary>
public sealed class SeatMap(Venue venue)
{
    private readonly bool[][] _taken = [.. Enumerable.Range(0, venue.Sections).Select(_ => new bool[venue.SeatsPerSection])];
    private readonly int[] _remaining = [.. Enumerable.Repeat(venue.SeatsPerSection, venue.Sections)];
    private int _held;
    private int _twice;

    public int Held => Volatile.Read(ref _held);

    /// <summary>Seats that two 201s both claimed: an oversell seen from the fans' side.</summary>
    public int AcknowledgedTwice => Volatile.Read(ref _twice);

    public bool SoldOut => Held >= venue.Capacity;

    public int Remaining(int section) => Volatile.Read(ref _remaining[section]);

    public void Take(IEnumerable<string> seatIds)
    {
        foreach (var id in seatIds)
        {
            var (section, index) = venue.SeatsById[id];
            lock (_taken[section])
            {
                if (_taken[section][index])
                {
                    _twice++;
                    continue;
                }

                _taken[section][index] = true;
            }

            Interlocked.Decrement(ref _remaining[section]);
            Interlocked.Increment(ref _held);
        }
    }

    /// <summary>A run of <paramref name="quantity"/> seats that look free in a random row of the section, or null.</summary>
    public string[]? FreeRun(Random random, int section, int quantity)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var row = random.Next(venue.Rows);
            var start = random.Next(venue.SeatsPerRow);
            for (var k = 0; k < venue.SeatsPerRow; k++)
            {
                var first = (start + k) % venue.SeatsPerRow;
                if (first + quantity > venue.SeatsPerRow)
                {
                    continue;
                }

                var free = true;
                for (var i = 0; i < quantity && free; i++)
                {
                    free = !Volatile.Read(ref _taken[section][row * venue.SeatsPerRow + first + i]);
                }

                if (free)
                {
                    return [.. Enumerable.Range(first, quantity).Select(n => venue.SeatId(section, row, n))];
                }
            }
        }

        return null;
    }
}

/// <summary>A hold a fan was told is theirs.</summary>
public sealed record AcknowledgedHold(Guid HoldId, string[] Seats);

/// <summary>How one attempt ended: <paramref name="Outcome"/> names it ("201", "409 seat_unavailable"...); a refusal is an answer a fan can act on.</summary>
public sealed record HoldAnswer(string Outcome, bool Refused, AcknowledgedHold? Hold);

/// <summary>Where holds go: inventory's API, the baseline's, or inventory's actors called in-process (no HTTP).</summary>
public abstract class HoldTarget(string name)
{
    public string Name { get; } = name;

    /// <summary>Holds <paramref name="seats"/> if given, else the best <paramref name="quantity"/> adjacent seats of <paramref name="section"/>.</summary>
    public abstract Task<HoldAnswer> HoldAsync(Guid eventId, int fan, string[]? seats, int quantity, string section);
}

/// <summary>Holds over HTTP with the fan's token, as a fan's app makes them.</summary>
public sealed class HttpHoldTarget(string name, HttpClient client, IReadOnlyList<string> tokens, Func<Guid, string> path) : HoldTarget(name)
{
    public override async Task<HoldAnswer> HoldAsync(Guid eventId, int fan, string[]? seats, int quantity, string section)
    {
        try
        {
            object body = seats is not null ? new { seats } : new { best = new { quantity, section } };
            using var request = new HttpRequestMessage(HttpMethod.Post, path(eventId)) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[fan]);
            using var response = await client.SendAsync(request);
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var json = await JsonDocument.ParseAsync(stream);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var held = json.RootElement.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToArray();
                return new HoldAnswer("201", false, new AcknowledgedHold(json.RootElement.GetProperty("holdId").GetGuid(), held));
            }

            var code = json.RootElement.TryGetProperty("code", out var c) ? c.GetString() : "";
            return new HoldAnswer($"{(int)response.StatusCode} {code}", response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new HoldAnswer($"error {ex.GetType().Name}", false, null);
        }
    }
}

/// <summary>The buyer's actor called through an in-process proxy: inventory without HTTP, JSON bodies or token checks.</summary>
public sealed class ActorHoldTarget(IActorProxyFactory actors, IReadOnlyList<Guid> buyers) : HoldTarget("actors (in-process)")
{
    public override async Task<HoldAnswer> HoldAsync(Guid eventId, int fan, string[]? seats, int quantity, string section)
    {
        var outcome = await actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(eventId, buyers[fan]), InventoryActors.BuyerHolds)
            .CreateHoldAsync(new CreateHold(Guid.NewGuid(), eventId, buyers[fan], seats ?? [], seats is null ? new BestAvailable(quantity, section, null) : null, []));
        return outcome.Hold is { } hold
            ? new HoldAnswer("ok", false, new AcknowledgedHold(hold.HoldId, [.. hold.Seats.Select(s => s.Id)]))
            : new HoldAnswer(outcome.Failure!, true, null);
    }
}

/// <summary>How one on-sale went; rates are over the whole run, until the last fan's last answer.</summary>
public sealed record OnSaleResult(string System, int Attempts, int Holds, int SeatsHeld, TimeSpan Elapsed, TimeSpan? SoldOutAfter,
    double P50, double P95, double P99, double Max, double P99AfterOpening, int Failures, int AcknowledgedTwice, Dictionary<string, int> Outcomes, double MachineCpu, double ProcessCpu)
{
    public double AttemptsPerSecond => Attempts / Elapsed.TotalSeconds;
    public double HoldsPerSecond => Holds / Elapsed.TotalSeconds;
}

/// <summary>
/// Virtual fans, each looping until the event sells out: pick a section (Zipf over sections, best first, among
/// those the fans still see seats in), ask for 2-4 seats (best available mostly, a run of seats that look free
/// on the map otherwise), and on a refusal settle for one seat fewer and look again.
/// </summary>
public sealed class OnSaleRun(Venue venue, int fans, HoldTarget target, Options options)
{
    private readonly SeatMap _map = new(venue);
    private readonly double[] _weights = [.. Enumerable.Range(1, venue.Sections).Select(rank => 1 / Math.Pow(rank, options.Zipf))];
    private int _attempts;
    private int _holds;
    private int _failures;

    /// <summary>Every acknowledged hold: its id and seats, for the database check.</summary>
    public List<AcknowledgedHold> Acknowledged { get; } = [];

    public async Task<OnSaleResult> RunAsync(Guid eventId, bool quiet)
    {
        var latencies = new List<(double At, double Ms)>[fans];
        var outcomes = new Dictionary<string, int>[fans];
        var cpu = new CpuMeter();
        var clock = Stopwatch.StartNew();
        TimeSpan? soldOutAfter = null;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var running = Enumerable.Range(0, fans).Select(fan => Task.Run(async () =>
        {
            var random = new Random(options.Seed * 7919 + fan);
            var mine = latencies[fan] = new List<(double At, double Ms)>(1024);
            var seen = outcomes[fan] = [];
            var first = true;
            if (options.ArrivalMs > 0)
            {
                await Task.Delay(random.Next(0, options.ArrivalMs));
            }

            while (!_map.SoldOut && !stop.IsCancellationRequested)
            {
                var quantity = random.Next(2, 5);
                while (!_map.SoldOut && !stop.IsCancellationRequested)
                {
                    if (!first && options.ThinkMs > 0)
                    {
                        await Task.Delay(random.Next(options.ThinkMs / 2, options.ThinkMs * 3 / 2 + 1));
                    }

                    first = false;
                    if (PickSection(random) is not { } section)
                    {
                        break;
                    }

                    var seats = random.NextDouble() < options.SpecificShare ? _map.FreeRun(random, section, quantity) : null;
                    var started = Stopwatch.GetTimestamp();
                    var answer = await target.HoldAsync(eventId, fan, seats, quantity, venue.Codes[section]);
                    mine.Add((clock.Elapsed.TotalSeconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                    seen[answer.Outcome] = seen.GetValueOrDefault(answer.Outcome) + 1;
                    Interlocked.Increment(ref _attempts);
                    if (answer.Hold is { } held)
                    {
                        Interlocked.Increment(ref _holds);
                        lock (Acknowledged)
                        {
                            Acknowledged.Add(held);
                        }

                        _map.Take(held.Seats);
                        if (_map.SoldOut)
                        {
                            lock (Acknowledged)
                            {
                                soldOutAfter ??= clock.Elapsed;
                            }
                        }

                        break;
                    }

                    if (answer.Refused)
                    {
                        quantity = Math.Max(1, quantity - 1); // settle for fewer seats together
                    }
                    else
                    {
                        Interlocked.Increment(ref _failures);
                    }
                }
            }
        })).ToList();

        var progress = quiet ? Task.CompletedTask : Task.Run(async () =>
        {
            var (lastAttempts, lastHolds, last) = (0, 0, TimeSpan.Zero);
            while (!running.All(f => f.IsCompleted))
            {
                await Task.WhenAny(Task.Delay(1000), Task.WhenAll(running));
                var (attempts, holds, now) = (Volatile.Read(ref _attempts), Volatile.Read(ref _holds), clock.Elapsed);
                var seconds = (now - last).TotalSeconds;
                Console.WriteLine($"  {target.Name,-20} {now.TotalSeconds,5:0.0} s  {(attempts - lastAttempts) / seconds,8:N0} attempts/s  {(holds - lastHolds) / seconds,7:N0} holds/s  " +
                    $"seats held {_map.Held,7:N0} / {venue.Capacity:N0} ({100.0 * _map.Held / venue.Capacity,5:0.0} %)");
                (lastAttempts, lastHolds, last) = (attempts, holds, now);
            }
        });

        await Task.WhenAll(running);
        var elapsed = clock.Elapsed;
        var (machineCpu, processCpu) = cpu.Stop();
        await progress;
        var all = latencies.SelectMany(l => l).Select(l => l.Ms).Order().ToList();
        // The opening second, when every fan clicks at once, sets the tail; what follows is the steady part of the sale.
        var later = latencies.SelectMany(l => l).Where(l => l.At >= 1 + l.Ms / 1000).Select(l => l.Ms).Order().ToList();
        static double At(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        var merged = outcomes.SelectMany(o => o).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
        return new OnSaleResult(target.Name, _attempts, _holds, _map.Held, elapsed, soldOutAfter, At(all, 0.50), At(all, 0.95), At(all, 0.99),
            all.Count == 0 ? 0 : all[^1], At(later, 0.99),
            _failures, _map.AcknowledgedTwice, merged, machineCpu, processCpu);
    }

    /// <summary>A section by preference among those where fans still see seats; null when they see none left.</summary>
    private int? PickSection(Random random)
    {
        Span<double> weights = stackalloc double[venue.Sections];
        var total = 0.0;
        for (var s = 0; s < venue.Sections; s++)
        {
            total += weights[s] = _map.Remaining(s) > 0 ? _weights[s] : 0;
        }

        var pick = random.NextDouble() * total;
        for (var s = 0; s < venue.Sections; s++)
        {
            if (weights[s] > 0 && (pick -= weights[s]) <= 0)
            {
                return s;
            }
        }

        return total == 0 ? null : weights.LastIndexOfAnyExcept(0.0);
    }
}
