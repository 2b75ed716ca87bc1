using System.Net;
using System.Text.Json;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Queue.Tests;

/// <summary>
/// The real host executable (<c>TicketToken.Host.dll</c>) with identity, catalog, inventory and the queue as a child
/// process, SIGKILLed and started again on the same database. The admitting loop ticks once when a host starts and then
/// only after an hour, so what each host admits is decided by the test, not by when the kill lands.
/// </summary>
public sealed class QueueCrashFixture : ModuleHostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(QueueFixture.HostSettings)
    {
        ["TicketToken:Queue:TickInterval"] = "01:00:00",
    };

    protected override string ChildProcessServices => "identity,catalog,inventory,queue";
}

public sealed class QueueCrashTests(QueueCrashFixture fixture) : IClassFixture<QueueCrashFixture>
{
    private const int Wave = 3;

    [Fact]
    public async Task Kill_9_keeps_every_place_and_admission_and_the_queue_goes_on_admitting()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var onSale = await OnSaleEvents.CreateAsync(fixture.Client, admin, organizerId);
        var eventId = onSale.EventId;
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from queue.events where id = $1", eventId) == 1,
            "the queue knows the published event");
        await ConfigureAsync(admin, eventId, DateTimeOffset.UtcNow.AddDays(1));
        var probe = await fixture.Personas.FanAsync();
        await Eventually.TrueAsync(async () =>
        {
            using var hold = await HoldAsync(probe, eventId, null);
            return (await hold.Content.ReadAsStringAsync()).Contains("admission_required", StringComparison.Ordinal);
        }, "inventory refuses holds without an admission");

        // Before the opening: eight fans join, then the organizer moves the opening to now. The host that accepted all
        // of this ticked only at its start, so it dies with every early place still unshuffled.
        var early = new List<Person>();
        for (var i = 0; i < 8; i++)
        {
            early.Add(await fixture.Personas.FanAsync());
            using var joined = await fixture.Client.SendAsync(early[^1], HttpMethod.Post, $"/api/queue/events/{eventId}/entries", new { });
            (await joined.ShouldBeAsync(HttpStatusCode.Created)).Text("status").Should().Be("before_opening");
        }

        await ConfigureAsync(admin, eventId, DateTimeOffset.UtcNow);
        await fixture.KillAsync();

        // The next host's first tick opens the queue (the shuffle) and admits the first wave; fans keep coming after it.
        await fixture.StartAsync();
        await Eventually.TrueAsync(async () => await AdmittedAsync(eventId) == Wave, "the restarted host opened the queue and admitted a wave");
        var late = new List<Person>();
        for (var i = 0; i < 4; i++)
        {
            late.Add(await fixture.Personas.FanAsync());
            using var joined = await fixture.Client.SendAsync(late[^1], HttpMethod.Post, $"/api/queue/events/{eventId}/entries", new { });
            (await joined.ShouldBeAsync(HttpStatusCode.Created)).Text("status").Should().Be("waiting");
        }

        var everyone = early.Concat(late).ToList();
        var before = new Dictionary<Guid, JsonElement>();
        foreach (var fan in everyone)
        {
            before[fan.UserId] = await PlaceAsync(fan, eventId);
        }

        var rowsBefore = await EntriesAsync(eventId);
        before.Values.Count(p => p.Text("status") == "admitted").Should().Be(Wave);
        before.Values.Where(p => p.Text("status") == "waiting").Should().HaveCount(everyone.Count - Wave);

        // The next wave must be due when the next host ticks: wait, on the database's clock, until the interval has passed.
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<bool>(
                "select now() > max(admitted_at) + interval '1 second' from queue.entries where event_id = $1", eventId),
            "the wave interval has passed since the last wave");
        await fixture.KillAsync();
        await fixture.StartAsync();
        await Eventually.TrueAsync(async () => await AdmittedAsync(eventId) == 2 * Wave, "the queue goes on admitting after the kill");

        var rowsAfter = await EntriesAsync(eventId);
        rowsAfter.Keys.Should().BeEquivalentTo(rowsBefore.Keys, "no entry was lost or added");
        foreach (var (userId, row) in rowsBefore)
        {
            rowsAfter[userId].Place.Should().Be(row.Place, "a place never changes once given");
            if (row.Status == "admitted")
            {
                rowsAfter[userId].Should().Be(row, "an admission stays as it was issued");
            }
        }

        foreach (var fan in everyone)
        {
            var was = before[fan.UserId];
            var now = await PlaceAsync(fan, eventId);
            switch (was.Text("status"))
            {
                case "admitted":
                    now.Text("status").Should().Be("admitted");
                    now.GetProperty("admissionExpiresAt").GetDateTimeOffset().Should().Be(was.GetProperty("admissionExpiresAt").GetDateTimeOffset());
                    using (var held = await HoldAsync(fan, eventId, was.Text("admission")))
                    {
                        await held.ShouldBeAsync(HttpStatusCode.Created); // the admission issued before the kill still opens the hold route
                    }

                    break;
                case "waiting" when was.GetProperty("position").GetInt64() <= Wave:
                    now.Text("status").Should().Be("admitted", "the first waiting fans were the next wave");
                    break;
                default:
                    now.Text("status").Should().Be("waiting");
                    if (early.Contains(fan))
                    {
                        // Late fans joined after the last recount and were told "behind everybody counted"; early fans had exact positions.
                        now.GetProperty("position").GetInt64().Should().Be(was.GetProperty("position").GetInt64() - Wave, "everyone moved up by one wave");
                    }

                    break;
            }
        }

        // Positions after the restart follow the places kept in the database, one to the last, with no gaps and no ties.
        var waiting = rowsAfter.Where(r => r.Value.Status == "waiting").OrderBy(r => r.Value.Place).Select(r => r.Key).ToList();
        waiting.Should().HaveCount(everyone.Count - 2 * Wave);
        for (var rank = 0; rank < waiting.Count; rank++)
        {
            var place = await PlaceAsync(everyone.Single(f => f.UserId == waiting[rank]), eventId);
            place.GetProperty("position").GetInt64().Should().Be(rank + 1);
        }
    }

    private async Task ConfigureAsync(Person admin, Guid eventId, DateTimeOffset opensAt)
    {
        // Risk scores off: every fan here is minutes old and shares the loopback address.
        using var configured = await fixture.Client.SendAsync(admin, HttpMethod.Put, $"/api/queue/organizer/events/{eventId}", new
        {
            opensAt, waveSize = Wave, waveIntervalSeconds = 1, admissionValiditySeconds = 3_600, delayAtScore = 101, refuseAtScore = 101,
        });
        await configured.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<JsonElement> PlaceAsync(Person fan, Guid eventId)
    {
        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/queue/events/{eventId}/entries/me");
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    private async Task<HttpResponseMessage> HoldAsync(Person fan, Guid eventId, string? admission)
    {
        using var request = fan.Request(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { best = new { quantity = 1 } });
        if (admission is not null)
        {
            request.Headers.Add("Queue-Admission", admission);
        }

        return await fixture.Client.SendAsync(request);
    }

    private Task<long> AdmittedAsync(Guid eventId) =>
        fixture.Database.ScalarAsync<long>("select count(*) from queue.entries where event_id = $1 and status = 'admitted'", eventId);

    private sealed record Row(long? Place, string Status, string? AdmittedAt);

    private async Task<Dictionary<Guid, Row>> EntriesAsync(Guid eventId)
    {
        var rows = await fixture.Database.ScalarAsync<string>("""
            select coalesce(string_agg(user_id || ' ' || coalesce(place::text, '-') || ' ' || status || ' ' || coalesce(admitted_at::text, '-'), ';'), '')
            from queue.entries where event_id = $1
            """, eventId);
        return rows.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ', 3)).ToDictionary(
            r => Guid.Parse(r[0]),
            r => new Row(r[1] == "-" ? null : long.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), r[2].Split(' ')[0],
                r[2].Split(' ', 2)[1] is var at && at != "-" ? at : null));
    }
}
