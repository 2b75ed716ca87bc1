using System.Collections.Concurrent;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using TicketToken.Queue.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Queue.Tests;

/// <summary>A queued on-sale from the fans' side: one place each, waves, admissions the hold route checks, bots behind, restarts.</summary>
public sealed class QueueTests(QueueFixture fixture) : IClassFixture<QueueFixture>
{
    [Fact]
    public async Task An_account_has_one_place_however_often_it_joins()
    {
        var (_, onSale) = await fixture.QueuedOnSaleAsync();
        var fan = await fixture.Personas.FanAsync();

        var first = await fixture.JoinAsync(fan, onSale.EventId);
        var again = await fixture.JoinAsync(fan, onSale.EventId, expected: HttpStatusCode.OK);
        var concurrently = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var response = await fixture.Client.SendAsync(fan, HttpMethod.Post, $"/api/queue/events/{onSale.EventId}/entries", new { });
            return response.StatusCode;
        }));

        first.Text("status").Should().Be("before_opening");
        again.Text("status").Should().Be("before_opening");
        concurrently.Should().AllBeEquivalentTo(HttpStatusCode.OK);
        (await fixture.Database.ScalarAsync<long>("select count(*) from queue.entries where event_id = $1 and user_id = $2", onSale.EventId, fan.UserId))
            .Should().Be(1);
    }

    [Fact]
    public async Task Early_fans_are_shuffled_at_the_opening_later_ones_join_at_the_back_and_waves_admit_in_place_order()
    {
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 2);
        var early = new List<Person>();
        for (var i = 0; i < 6; i++)
        {
            early.Add(await fixture.Personas.FanAsync());
            await fixture.JoinAsync(early[^1], onSale.EventId);
        }

        var late = await fixture.Personas.FanAsync();
        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        var joined = await fixture.JoinAsync(late, onSale.EventId);
        await fixture.TickAsync();

        var places = await fixture.Database.ScalarAsync<long[]>(
            "select array_agg(place order by joined_at, user_id) from queue.entries where event_id = $1 and user_id = any($2)", onSale.EventId,
            early.Select(f => f.UserId).ToArray());
        places.Should().BeEquivalentTo(new long[] { 1, 2, 3, 4, 5, 6 }, "the early crowd fills the first places, in a shuffled order");
        (await fixture.Database.ScalarAsync<long>("select place from queue.entries where event_id = $1 and user_id = $2", onSale.EventId, late.UserId))
            .Should().BeGreaterThan(QueueBoard.LateOffset, "a fan who comes after the opening is behind everyone who came before");
        joined.Text("status").Should().Be("waiting");

        (await fixture.Database.ScalarAsync<long>("select count(*) from queue.entries where event_id = $1 and status = 'admitted'", onSale.EventId))
            .Should().Be(2, "the first wave admits two");
        (await fixture.Database.ScalarAsync<long>("select max(place) from queue.entries where event_id = $1 and status = 'admitted'", onSale.EventId))
            .Should().Be(2, "the wave takes the first places");

        var lastPlace = await fixture.PlaceAsync(late, onSale.EventId);
        lastPlace.GetProperty("fansAhead").GetInt32().Should().Be(4);
        lastPlace.GetProperty("position").GetInt64().Should().Be(5);
        lastPlace.GetProperty("admissionRatePerMinute").GetDouble().Should().Be(12, "two every ten seconds");
        lastPlace.GetProperty("estimatedWaitSeconds").GetInt32().Should().Be(20, "four ahead at twelve a minute");

        await fixture.AdvanceAsync(TimeSpan.FromSeconds(10));
        (await fixture.PlaceAsync(late, onSale.EventId)).GetProperty("fansAhead").GetInt32().Should().Be(2, "the next wave took two more");
    }

    [Fact]
    public async Task Holds_of_a_queued_on_sale_need_the_callers_own_admission_until_it_expires()
    {
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 1, validitySeconds: 120);
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        await fixture.JoinAsync(fan, onSale.EventId);
        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));

        var place = await fixture.PlaceAsync(fan, onSale.EventId);
        place.Text("status").Should().Be("admitted");
        var admission = place.Text("admission");

        using (var withoutAdmission = await fixture.HoldAsync(fan, onSale.EventId, null))
        {
            await withoutAdmission.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admission_required");
        }

        using (var someoneElses = await fixture.HoldAsync(other, onSale.EventId, admission))
        {
            await someoneElses.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admission_invalid");
        }

        using (var forged = await fixture.HoldAsync(fan, onSale.EventId, admission[..^4] + "AAAA"))
        {
            await forged.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admission_invalid");
        }

        using (var held = await fixture.HoldAsync(fan, onSale.EventId, admission))
        {
            await held.ShouldBeAsync(HttpStatusCode.Created);
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(121));
        using (var expired = await fixture.HoldAsync(fan, onSale.EventId, admission))
        {
            await expired.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admission_expired");
        }

        (await fixture.PlaceAsync(fan, onSale.EventId)).Text("status").Should().Be("admission_expired");
    }

    [Fact]
    public async Task Fans_who_solve_the_challenge_are_placed_before_bots_that_do_not()
    {
        // Every account here is minutes old (35) and all of them share the loopback address (25 more from the ninth on):
        // a fan who solved the challenge scores at most 60, one who did not at least 65.
        var (admin, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 3, proofOfWorkBits: 8, delayAtScore: 65);
        var humans = new List<Person>();
        var bots = new List<Person>();
        for (var i = 0; i < 6; i++)
        {
            humans.Add(await fixture.Personas.FanAsync());
            bots.Add(await fixture.Personas.FanAsync());
        }

        var everyone = humans.Concat(bots).Select(f => f.UserId).ToArray();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from queue.accounts where user_id = any($1)", everyone) == 12,
            "the queue knows when each account was opened");
        for (var i = 0; i < 6; i++)
        {
            await fixture.JoinAsync(bots[i], onSale.EventId);
            using var challenge = await fixture.Client.SendAsync(humans[i], HttpMethod.Get, $"/api/queue/events/{onSale.EventId}/challenge");
            var body = await challenge.ShouldBeAsync(HttpStatusCode.OK);
            await fixture.JoinAsync(humans[i], onSale.EventId, new { proofOfWorkNonce = ProofOfWork.Solve(body.Text("value"), body.GetProperty("bits").GetInt32()) });
        }

        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        await fixture.AdvanceAsync(TimeSpan.FromSeconds(10));

        var admitted = await fixture.Database.ScalarAsync<Guid[]>("select array_agg(user_id) from queue.entries where event_id = $1 and status = 'admitted'", onSale.EventId);
        admitted.Should().HaveCount(6).And.BeEquivalentTo(humans.Select(h => h.UserId), "two waves of three admit the six fans before any bot");
        var lastHuman = await fixture.Database.ScalarAsync<long>("select max(place) from queue.entries where event_id = $1 and user_id = any($2)", onSale.EventId,
            humans.Select(h => h.UserId).ToArray());
        var firstBot = await fixture.Database.ScalarAsync<long>("select min(place) from queue.entries where event_id = $1 and user_id = any($2)", onSale.EventId,
            bots.Select(h => h.UserId).ToArray());
        firstBot.Should().BeGreaterThan(lastHuman);

        using var risk = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/queue/organizer/events/{onSale.EventId}/risk");
        var distribution = await risk.ShouldBeAsync(HttpStatusCode.OK);
        distribution.GetProperty("signals").GetProperty(RiskScore.NoProofOfWork).GetInt64().Should().Be(6);
        distribution.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("admitted").GetInt32()).Should().Be(6);
    }

    [Fact]
    public async Task A_restarted_host_keeps_every_place_and_admission()
    {
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 1);
        var fans = new List<Person>();
        for (var i = 0; i < 4; i++)
        {
            fans.Add(await fixture.Personas.FanAsync());
            await fixture.JoinAsync(fans[^1], onSale.EventId);
        }

        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        var before = new Dictionary<Guid, JsonElement>();
        foreach (var fan in fans)
        {
            before[fan.UserId] = await fixture.PlaceAsync(fan, onSale.EventId);
        }

        await fixture.RestartAsync();
        await fixture.TickAsync();

        foreach (var fan in fans)
        {
            var after = await fixture.PlaceAsync(fan, onSale.EventId);
            after.Text("status").Should().Be(before[fan.UserId].Text("status"));
            if (after.Text("status") == "waiting")
            {
                after.GetProperty("position").GetInt64().Should().Be(before[fan.UserId].GetProperty("position").GetInt64());
            }
        }
    }

    [Fact]
    public async Task The_stream_pushes_the_place_until_the_fan_is_admitted()
    {
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 5);
        var fan = await fixture.Personas.FanAsync();
        await fixture.JoinAsync(fan, onSale.EventId);
        using var request = fan.Request(HttpMethod.Get, $"/api/queue/events/{onSale.EventId}/entries/me/stream");
        using var response = await fixture.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var statuses = new ConcurrentQueue<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
            {
                item.EventType.Should().Be("place");
                using var place = System.Text.Json.JsonDocument.Parse(item.Data);
                statuses.Enqueue(place.RootElement.GetProperty("status").GetString()!);
            }
        });

        await Eventually.TrueAsync(() => Task.FromResult(statuses.Contains("before_opening")), "the first event comes at once");
        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(() =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(3)); // the stream's own timer runs on the same clock
            return Task.FromResult(statuses.Contains("admitted"));
        }, "the stream says when the fan is admitted");
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        statuses.Last().Should().Be("admitted", "the stream ends with the admission");
    }
}
