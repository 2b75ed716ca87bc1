using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Testing.Identity;

namespace TicketToken.Inventory.Tests.Concurrency;

/// <summary>What one fan asks for: specific seats, the best N adjacent seats, general-admission places, or a mix.</summary>
public sealed record HoldAsk(IReadOnlyList<string> Seats, int? Best, IReadOnlyList<GeneralAdmissionQuantity> GeneralAdmission)
{
    public int SeatCount => Seats.Count + (Best ?? 0);

    public object Body => new
    {
        seats = Seats,
        best = Best is { } quantity ? new { quantity } : null,
        generalAdmission = GeneralAdmission.Select(g => new { ticketTypeId = g.TicketTypeId, quantity = g.Quantity }),
    };

    public override string ToString() =>
        string.Join(" + ", new[]
        {
            Seats.Count > 0 ? $"seats [{string.Join(",", Seats)}]" : null,
            Best is { } n ? $"best {n}" : null,
            GeneralAdmission.Count > 0 ? $"GA {GeneralAdmission.Sum(g => g.Quantity)}" : null,
        }.Where(p => p is not null));
}

/// <summary>One hold attempt and how it ended: an HTTP answer, or no answer at all (the host died under it).</summary>
public sealed record HoldAttempt(Person Fan, HoldAsk Ask, HttpStatusCode? Status, string? Code, HoldView? Hold, string? Error, DateTimeOffset SentAt, DateTimeOffset AnsweredAt)
{
    public bool Acknowledged => Status == HttpStatusCode.Created;

    /// <summary>Refused for a reason a fan can act on: taken, not enough together, sold out (409) or over a limit (422).</summary>
    public bool Refused => Status is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity;

    public override string ToString() => $"{Fan.Email}: {Ask} -> {(Status is { } s ? $"{(int)s} {Code}" : "no answer: " + Error)}";
}

/// <summary>A hold that was given back (released) by its owner: its seats may be held again from <see cref="RequestedAt"/> on.</summary>
public sealed record ReleasedHold(Guid HoldId, DateTimeOffset RequestedAt);

/// <summary>Fires hold attempts over HTTP all at once and checks what the fans were told against the database.</summary>
public static class HoldStorm
{
    /// <summary>
    /// A client with one pooled connection per concurrent request, opened before the storm so that all the attempts
    /// reach the server together rather than queueing behind TCP handshakes.
    /// </summary>
    public static async Task<HttpClient> ConnectAsync(Uri baseAddress, int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var response = await client.GetAsync("healthz");
            response.EnsureSuccessStatusCode();
        }));
        return client;
    }

    /// <summary>
    /// Asks for a random mix: specific seats (1-4), best available (2-4), general admission (1-3), and some
    /// combinations of these, as fans do. <paramref name="seats"/> are the seat ids to choose from.
    /// </summary>
    public static HoldAsk RandomAsk(Random random, IReadOnlyList<string> seats, Guid? generalAdmission)
    {
        IReadOnlyList<string> Pick(int count) => [.. seats.OrderBy(_ => random.Next()).Take(count)];
        IReadOnlyList<GeneralAdmissionQuantity> Places(int count) => generalAdmission is { } type ? [new GeneralAdmissionQuantity(type, count)] : [];
        return random.Next(100) switch
        {
            < 35 => new HoldAsk(Pick(random.Next(1, 5)), null, []),
            < 70 => new HoldAsk([], random.Next(2, 5), []),
            < 80 => new HoldAsk([], null, Places(random.Next(1, 4))),
            < 90 => new HoldAsk(Pick(random.Next(1, 3)), null, Places(random.Next(1, 3))),
            < 95 => new HoldAsk([], random.Next(2, 4), Places(random.Next(1, 3))),
            _ => new HoldAsk(Pick(random.Next(1, 3)), 2, []),
        };
    }

    /// <summary>
    /// Sends every attempt at once (they wait on one gate), or spread evenly over <paramref name="spread"/>, and collects
    /// the answers.
    /// </summary>
    public static async Task<List<HoldAttempt>> FireAsync(HttpClient client, Guid eventId, IReadOnlyList<(Person Fan, HoldAsk Ask)> attempts,
        Action<HoldAttempt>? answered = null, Task? gate = null, TimeSpan? spread = null)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = new ConcurrentBag<HoldAttempt>();
        var tasks = attempts.Select(async (attempt, index) =>
        {
            await start.Task;
            if (spread is { } over && index > 0)
            {
                await Task.Delay(over * index / attempts.Count);
            }

            var result = await SendAsync(client, eventId, attempt.Fan, attempt.Ask);
            results.Add(result);
            answered?.Invoke(result);
        }).ToList();
        if (gate is not null)
        {
            await gate;
        }

        start.SetResult();
        await Task.WhenAll(tasks);
        return [.. results];
    }

    public static async Task<HoldAttempt> SendAsync(HttpClient client, Guid eventId, Person fan, HoldAsk ask)
    {
        var sentAt = DateTimeOffset.UtcNow;
        try
        {
            using var request = fan.Request(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", ask.Body);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return new HoldAttempt(fan, ask, response.StatusCode, null, JsonSerializer.Deserialize<HoldView>(body, JsonSerializerOptions.Web), null, sentAt, DateTimeOffset.UtcNow);
            }

            var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : body;
            return new HoldAttempt(fan, ask, response.StatusCode, code, null, null, sentAt, DateTimeOffset.UtcNow);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new HoldAttempt(fan, ask, null, null, null, ex.GetType().Name + ": " + ex.Message, sentAt, DateTimeOffset.UtcNow);
        }
    }

    public static async Task<bool> ReleaseAsync(HttpClient client, Guid eventId, Person fan, Guid holdId)
    {
        using var request = fan.Request(HttpMethod.Delete, $"/api/inventory/events/{eventId}/holds/{holdId}");
        using var response = await client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.NoContent;
    }

    /// <summary>A one-line count of outcomes by status and problem code, for test output and failure messages.</summary>
    public static string Summary(IEnumerable<HoldAttempt> attempts) =>
        string.Join(", ", attempts.GroupBy(a => a.Status is { } s ? $"{(int)s} {a.Code}".TrimEnd() : "no answer").OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

    /// <summary>
    /// What the fans were told must agree with the database: each 201 has the seats and places asked for, is durable,
    /// and (while live) claims its seats in the section; two 201s never share a seat while both live; general admission
    /// never promised more places at once than its capacity.
    /// </summary>
    /// <param name="attempts">Every attempt, answered or not.</param>
    /// <param name="ledger">The state read from the database after the attempts.</param>
    /// <param name="released">Holds given back by their owners, with when that was asked for.</param>
    public static List<string> Violations(IReadOnlyList<HoldAttempt> attempts, InventoryLedger ledger,
        IReadOnlyCollection<ReleasedHold>? released = null)
    {
        var violations = new List<string>();
        var releasedAt = (released ?? []).ToDictionary(r => r.HoldId, r => r.RequestedAt);
        var recorded = ledger.Holds.ToDictionary(h => h.HoldId);
        var acknowledged = attempts.Where(a => a.Acknowledged).ToList();

        foreach (var duplicate in acknowledged.GroupBy(a => a.Hold!.HoldId).Where(g => g.Count() > 1))
        {
            violations.Add($"hold {duplicate.Key} was acknowledged {duplicate.Count()} times");
        }

        foreach (var attempt in acknowledged)
        {
            var hold = attempt.Hold!;
            var seats = hold.Seats.Select(s => s.Id).ToList();
            if (seats.Distinct(StringComparer.Ordinal).Count() != seats.Count || seats.Count != attempt.Ask.SeatCount || attempt.Ask.Seats.Except(seats).Any())
            {
                violations.Add($"201 for {attempt.Ask} lists seats [{string.Join(",", seats)}]: not the {attempt.Ask.SeatCount} distinct seats asked for (hold {hold.HoldId})");
            }

            if (hold.GeneralAdmission.Sum(g => g.Quantity) != attempt.Ask.GeneralAdmission.Sum(g => g.Quantity))
            {
                violations.Add($"201 for {attempt.Ask} lists {hold.GeneralAdmission.Sum(g => g.Quantity)} general-admission places (hold {hold.HoldId})");
            }

            if (hold.BuyerId != attempt.Fan.UserId)
            {
                violations.Add($"201 for fan {attempt.Fan.UserId} names buyer {hold.BuyerId} (hold {hold.HoldId})");
            }

            var live = hold.ExpiresAt > ledger.ReadAt && !releasedAt.ContainsKey(hold.HoldId);
            if (!recorded.ContainsKey(hold.HoldId) && !releasedAt.ContainsKey(hold.HoldId))
            {
                violations.Add($"hold {hold.HoldId} was acknowledged with a 201 but is not in the buyer's state: an answer given before its commit");
            }

            if (live)
            {
                foreach (var seat in seats.Distinct())
                {
                    if (!ledger.Claims.TryGetValue(seat, out var claim) || claim.HoldId != hold.HoldId)
                    {
                        violations.Add($"seat {seat} of acknowledged live hold {hold.HoldId} is {(claim is null ? "free" : $"claimed by hold {claim.HoldId}")} in its section");
                    }
                }
            }
        }

        // A hold took its seats at some instant before its 201 arrived, and had them until its expiry, until its release
        // was asked for at the earliest, or for good once sold (none is extended here). Two holds sharing a seat are a proven double hold only if neither can have
        // taken it after the other let go: each was answered before the other's earliest end.
        var holders = acknowledged.Select(a => (Attempt: a, Until: EarliestEnd(a.Hold!))).ToList();
        foreach (var seat in holders.SelectMany(h => h.Attempt.Hold!.Seats.Select(s => (Seat: s.Id, Holder: h))).GroupBy(x => x.Seat))
        {
            var sharing = seat.Select(x => x.Holder).DistinctBy(h => h.Attempt.Hold!.HoldId).ToList();
            for (var i = 0; i < sharing.Count; i++)
            {
                for (var j = i + 1; j < sharing.Count; j++)
                {
                    var (a, b) = (sharing[i], sharing[j]);
                    if (a.Attempt.AnsweredAt < b.Until && b.Attempt.AnsweredAt < a.Until)
                    {
                        violations.Add($"seat {seat.Key} was acknowledged to two holds at once: {Describe(a)} and {Describe(b)}");
                    }
                }
            }
        }

        // General admission: at the moment a 201 arrived, the places of every hold surely live then add up to at most the capacity.
        foreach (var (type, capacity) in ledger.Capacities)
        {
            var places = holders.Select(h => (From: h.Attempt.AnsweredAt, To: h.Until, Quantity: h.Attempt.Hold!.GeneralAdmission.Where(g => g.TicketTypeId == type).Sum(g => g.Quantity)))
                .Where(p => p.Quantity > 0).ToList();
            foreach (var instant in places.Select(p => p.From))
            {
                var promised = places.Where(p => p.From <= instant && instant < p.To).Sum(p => p.Quantity);
                if (promised > capacity)
                {
                    violations.Add($"general admission {type}: {promised} places acknowledged and live at {instant:HH:mm:ss.fff}, capacity {capacity}");
                    break;
                }
            }
        }

        return violations;

        DateTimeOffset EarliestEnd(HoldView hold) =>
            recorded.TryGetValue(hold.HoldId, out var now) && now.Sold ? DateTimeOffset.MaxValue
            : releasedAt.TryGetValue(hold.HoldId, out var at) && at < hold.ExpiresAt ? at
            : hold.ExpiresAt;

        static string Describe((HoldAttempt Attempt, DateTimeOffset Until) holder) =>
            $"{holder.Attempt.Hold!.HoldId} ({holder.Attempt.Fan.Email}, answered {holder.Attempt.AnsweredAt:HH:mm:ss.fff}, held until at least {holder.Until:HH:mm:ss.fff})";
    }

    /// <summary>Seat ids of a published event, optionally only the sellable ones.</summary>
    public static IReadOnlyList<string> SeatIds(EventPublished published) =>
        [.. published.Sections.SelectMany(s => s.Rows).SelectMany(r => r.Seats).Where(s => !s.Blocked).Select(s => s.Id)];

    public static async Task<JsonElement> AvailabilityAsync(HttpClient client, Guid eventId) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{eventId}/availability");
}
