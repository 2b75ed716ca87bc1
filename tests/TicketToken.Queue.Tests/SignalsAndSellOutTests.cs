using System.Net;
using System.Net.Http.Json;
using TicketToken.Queue.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Queue.Tests;

/// <summary>
/// Failed sign-ins as a risk signal, and an on-sale that sells out and comes back when a hold expires.
/// A fixture of its own: these tests count failed sign-ins and joins per client address, which the other class's tests
/// would add to.
/// </summary>
public sealed class SignalsAndSellOutTests(QueueFixture fixture) : IClassFixture<QueueFixture>
{
    [Fact]
    public async Task Accounts_with_failed_sign_ins_are_placed_behind_the_other_fans()
    {
        // Every account here is minutes old (35 each); three failed sign-ins add 30. Twelve failures from the loopback
        // address stay below the address signal's twenty, so the fans without failures score 35 and the others 65.
        var (admin, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 4, delayAtScore: 65);
        var fans = new List<Person>();
        var stuffed = new List<Person>();
        for (var i = 0; i < 4; i++)
        {
            fans.Add(await fixture.Personas.FanAsync());
            stuffed.Add(await fixture.Personas.FanAsync());
            for (var attempt = 0; attempt < RiskScore.ManyFailedSignIns; attempt++)
            {
                using var failed = await fixture.Client.PostAsJsonAsync("/api/auth/login", new { email = stuffed[^1].Email, password = "a guessed password 123" });
                await failed.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
            }
        }

        var everyone = fans.Concat(stuffed).Select(f => f.UserId).ToArray();
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from queue.accounts where user_id = any($1)", everyone) == 8,
            "the queue knows when each account was opened");
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>(
                "select count(*) from queue.sign_in_failures where key = any($1) and failures = $2",
                stuffed.Select(f => $"account:{f.UserId:N}").ToArray(), RiskScore.ManyFailedSignIns) == 4,
            "the queue counted every failed sign-in identity published");
        for (var i = 0; i < 4; i++)
        {
            await fixture.JoinAsync(stuffed[i], onSale.EventId);
            await fixture.JoinAsync(fans[i], onSale.EventId);
        }

        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));

        var admitted = await fixture.Database.ScalarAsync<Guid[]>("select array_agg(user_id) from queue.entries where event_id = $1 and status = 'admitted'", onSale.EventId);
        admitted.Should().BeEquivalentTo(fans.Select(f => f.UserId), "the first wave of four admits the fans without failed sign-ins, whatever the shuffle");
        var lastFan = await fixture.Database.ScalarAsync<long>("select max(place) from queue.entries where event_id = $1 and user_id = any($2)", onSale.EventId,
            fans.Select(f => f.UserId).ToArray());
        var firstStuffed = await fixture.Database.ScalarAsync<long>("select min(place) from queue.entries where event_id = $1 and user_id = any($2)", onSale.EventId,
            stuffed.Select(f => f.UserId).ToArray());
        firstStuffed.Should().BeGreaterThan(lastFan);
        (await fixture.Database.ScalarAsync<long>("select count(*) from queue.entries where event_id = $1 and $2 = any(signals) and user_id = any($3)", onSale.EventId,
            RiskScore.FailedSignIns, stuffed.Select(f => f.UserId).ToArray())).Should().Be(4);
        (await fixture.Database.ScalarAsync<long>("select count(*) from queue.entries where event_id = $1 and risk_score < $2 and user_id = any($3)", onSale.EventId,
            65, fans.Select(f => f.UserId).ToArray())).Should().Be(4);

        using var risk = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/queue/organizer/events/{onSale.EventId}/risk");
        (await risk.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("signals").GetProperty(RiskScore.FailedSignIns).GetInt64().Should().Be(4,
            "the organizer sees how many entries the signal marked");
    }

    [Fact]
    public async Task A_sold_out_on_sale_tells_everyone_waiting_about_the_waitlist_and_admits_again_when_a_hold_expires()
    {
        // 16 seats and one standing place, all of which one admitted fan can hold at once.
        var (_, onSale) = await fixture.QueuedOnSaleAsync(waveSize: 1, standingCapacity: 1, perOrder: 20);
        var buyer = await fixture.Personas.FanAsync();
        var next = await fixture.Personas.FanAsync();
        var last = await fixture.Personas.FanAsync();
        await fixture.JoinAsync(buyer, onSale.EventId);
        await fixture.AdvanceAsync(TimeSpan.FromMinutes(1));
        await fixture.JoinAsync(next, onSale.EventId);
        await fixture.JoinAsync(last, onSale.EventId);
        var admission = (await fixture.PlaceAsync(buyer, onSale.EventId)).Text("admission");
        using (var request = buyer.Request(HttpMethod.Post, $"/api/inventory/events/{onSale.EventId}/holds", new
        {
            seats = new[] { "A", "B" }.SelectMany(row => Enumerable.Range(1, 8).Select(n => $"STALLS-{row}-{n}")).ToArray(),
            generalAdmission = new[] { new { ticketTypeId = onSale.StandingTypeId, quantity = 1 } },
        }))
        {
            request.Headers.Add("Queue-Admission", admission);
            using var held = await fixture.Client.SendAsync(request);
            var hold = await held.ShouldBeAsync(HttpStatusCode.Created);
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
            await fixture.TickAsync();

            foreach (var fan in new[] { next, last })
            {
                var place = await fixture.PlaceAsync(fan, onSale.EventId);
                place.Text("status").Should().Be("sold_out", "nothing is free, so the wave that was due admitted nobody");
                place.Text("waitlist").Should().Be($"/api/inventory/events/{onSale.EventId}/waitlist");
            }

            (await fixture.Database.ScalarAsync<bool>("select sold_out from queue.onsales where event_id = $1", onSale.EventId)).Should().BeTrue();

            // The buyer never pays: the hold expires on inventory's clock, and the seats come back.
            fixture.Clock.Advance(hold.GetProperty("expiresAt").GetDateTimeOffset() - fixture.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        }

        await fixture.TickAsync();

        (await fixture.PlaceAsync(next, onSale.EventId)).Text("status").Should().Be("admitted", "the waves resumed with the seats the expired hold gave back");
        var waiting = await fixture.PlaceAsync(last, onSale.EventId);
        waiting.Text("status").Should().Be("waiting");
        waiting.GetProperty("fansAhead").GetInt32().Should().Be(0);
        (await fixture.Database.ScalarAsync<bool>("select sold_out from queue.onsales where event_id = $1", onSale.EventId)).Should().BeFalse();
    }
}
