using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Inventory.Tests.Concurrency;
using TicketToken.Testing;
using Xunit.Abstractions;

namespace TicketToken.Inventory.Tests;

/// <summary>These tests load both cores on purpose: they run alone, after the rest of the project.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OversellCollection
{
    public const string Name = "Oversell";
}

/// <summary>
/// No seat is ever sold or held twice: a thousand fans race over HTTP for a hundred seats and a few general-admission
/// places, with commits and releases in the middle, and the host is killed with SIGKILL mid-storm. Every check reads
/// the committed actor state from PostgreSQL, not the module's own answers.
/// </summary>
[Collection(OversellCollection.Name)]
public sealed class OversellTests(OversellFixture fixture, ITestOutputHelper output) : IClassFixture<OversellFixture>
{
    private const int GeneralAdmissionCapacity = 30;

    /// <summary>
    /// Long enough that holds made before the kill are still live when the restarted host answers (a restart takes
    /// 2-4 s here), short enough to watch every one of them expire within the test.
    /// </summary>
    private static readonly TimeSpan CrashHoldDuration = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_thousand_fans_racing_for_a_hundred_seats_never_get_the_same_seat()
    {
        var host = await fixture.HostAsync();
        var (published, generalAdmission) = await PublishAsync();
        var seats = HoldStorm.SeatIds(published);
        var random = Seeded(out var seed);
        output.WriteLine($"{OversellFixture.FanCount} fans signed in through identity in {fixture.SignInTook.TotalSeconds:0.0} s; workload seed {seed}");
        using var client = await HoldStorm.ConnectAsync(host.BaseAddress, OversellFixture.FanCount);

        // 1. Everyone at once.
        var clock = Stopwatch.StartNew();
        var storm = await HoldStorm.FireAsync(client, published.EventId, [.. fixture.Fans.Select(fan => (fan, HoldStorm.RandomAsk(random, seats, generalAdmission)))]);
        output.WriteLine($"storm: {storm.Count} attempts in {clock.ElapsedMilliseconds} ms: {HoldStorm.Summary(storm)}");

        ExpectOnlyAnswersFansCanActOn(storm);
        storm.Where(a => a.Acknowledged).Should().OnlyContain(a => a.Hold!.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(5), "holds last the default 10 minutes here: nothing expires mid-test");
        storm.Count(a => a.Refused).Should().BeGreaterThan(storm.Count / 2, "a thousand fans for a hundred seats must mostly be refused, or the test raced nothing");
        var ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        ExpectNoViolations("after the storm", ledger.Violations(ledger.ReadAt), HoldStorm.Violations(storm, ledger));
        var acknowledged = storm.Where(a => a.Acknowledged).Select(a => a.Hold!.HoldId).ToHashSet();
        ledger.Claims.Values.Where(c => !acknowledged.Contains(c.HoldId)).Should().BeEmpty("every claimed seat belongs to a hold a fan was told about (refused holds roll back)");
        ledger.Places.Where(p => !acknowledged.Contains(p.HoldId)).Should().BeEmpty("every general-admission claim belongs to a hold a fan was told about");
        ledger.Claims.Count.Should().BeGreaterThanOrEqualTo(seats.Count * 3 / 4, "the storm should have taken most seats");
        ledger.Places.Sum(p => p.Quantity).Should().BeGreaterThanOrEqualTo(GeneralAdmissionCapacity * 3 / 4, "the storm should have taken most general-admission places");

        // 2. Orders commit half the holds and fans give back a quarter, while every fan tries again.
        var held = storm.Where(a => a.Acknowledged).OrderBy(_ => random.Next()).ToList();
        var toCommit = held.Take(held.Count / 2).ToList();
        var toRelease = held.Skip(toCommit.Count).Take(held.Count / 4).ToList();
        var actors = host.Services.GetRequiredService<IActorProxyFactory>();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commits = toCommit.Select(async attempt =>
        {
            await go.Task;
            var order = Guid.NewGuid();
            var outcome = await actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(published.EventId, attempt.Fan.UserId), InventoryActors.BuyerHolds)
                .CommitHoldAsync(new CommitHold(attempt.Hold!.HoldId, order));
            return (Attempt: attempt, Order: order, Outcome: outcome);
        }).ToList();
        var releases = toRelease.Select(async attempt =>
        {
            await go.Task;
            var requestedAt = DateTimeOffset.UtcNow;
            return (Released: await HoldStorm.ReleaseAsync(client, published.EventId, attempt.Fan, attempt.Hold!.HoldId), Hold: new ReleasedHold(attempt.Hold!.HoldId, requestedAt));
        }).ToList();
        var retry = HoldStorm.FireAsync(client, published.EventId, [.. fixture.Fans.Select(fan => (fan, HoldStorm.RandomAsk(random, seats, generalAdmission)))], gate: go.Task);
        clock.Restart();
        go.SetResult();
        var committed = await Task.WhenAll(commits);
        var released = await Task.WhenAll(releases);
        var again = await retry;
        output.WriteLine($"{committed.Length} commits, {released.Length} releases and {again.Count} new attempts at once, in {clock.ElapsedMilliseconds} ms: {HoldStorm.Summary(again)}");

        committed.Where(c => c.Outcome.Hold?.Status != HoldStatus.Sold).Select(c => $"{c.Attempt.Hold!.HoldId}: {c.Outcome.Failure} {c.Outcome.Detail}")
            .Should().BeEmpty("a live hold commits whatever else happens at the same time");
        released.Where(r => !r.Released).Select(r => r.Hold.HoldId).Should().BeEmpty("a live hold can be given back");
        ExpectOnlyAnswersFansCanActOn(again);
        again.Should().Contain(a => a.Acknowledged, "given-back seats and places go to the fans trying again");

        ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        var everything = storm.Concat(again).ToList();
        var givenBack = released.Select(r => r.Hold).ToList();
        ExpectNoViolations("after commits, releases and new holds at once", ledger.Violations(ledger.ReadAt),
            HoldStorm.Violations(everything, ledger, givenBack));
        committed.SelectMany(c => c.Attempt.Hold!.Seats.Select(seat => (Seat: seat.Id, c.Attempt.Hold.HoldId, c.Order)))
            .Where(x => ledger.Claims.GetValueOrDefault(x.Seat) is not { } claim || claim.HoldId != x.HoldId || claim.OrderId != x.Order)
            .Select(x => $"seat {x.Seat} of hold {x.HoldId} is not sold to order {x.Order} in its section")
            .Should().BeEmpty("a committed hold's seats are sold to its order");

        var live = everything.Where(a => a.Acknowledged).Select(a => a.Hold!.HoldId).Except(givenBack.Select(r => r.HoldId)).ToHashSet();
        ledger.Claims.Values.Where(c => !live.Contains(c.HoldId)).Should().BeEmpty("released and refused holds leave no claim behind");
        ledger.Claims.Values.Count(c => c.Sold).Should().Be(committed.Sum(c => c.Attempt.Hold!.Seats.Count));
        ledger.Places.Where(p => p.Sold).Sum(p => p.Quantity).Should().Be(committed.Sum(c => c.Attempt.Hold!.GeneralAdmission.Sum(g => g.Quantity)));
    }

    [Fact]
    public async Task A_host_killed_mid_storm_restarts_without_double_holds_and_every_expired_hold_goes_back_on_sale()
    {
        var (published, generalAdmission) = await PublishAsync();
        var seats = HoldStorm.SeatIds(published);
        var random = Seeded(out var seed);
        output.WriteLine($"workload seed {seed}");
        await fixture.StopHostAsync(); // the child takes the database's runtime lease
        var environment = new Dictionary<string, string> { ["TICKETTOKEN__INVENTORY__HOLDDURATION"] = CrashHoldDuration.ToString() };

        // 1. A storm whose fans arrive over two seconds, as at a real on-sale, and SIGKILL once an eighth of it has been
        //    answered and some holds were acknowledged. (Refusals can come first: a refused turn waits only for the
        //    section's commit, an accepted one for its buyer's as well.) The first host sends no more than those answers
        //    (InventoryOptions.ParkHoldAnswersAfter: its actors go on deciding and committing, the answers wait), so
        //    answers are outstanding when the kill lands however fast or slow the machine is: a fast host used to
        //    answer the whole storm from memory, and a loaded one answered it all before the test's kill came round.
        List<HoldAttempt> beforeKill;
        var first = await fixture.StartChildAsync(new Dictionary<string, string>(environment)
        {
            ["TICKETTOKEN__INVENTORY__PARKHOLDANSWERSAFTER"] = (OversellFixture.FanCount / 8).ToString(CultureInfo.InvariantCulture),
        });
        var clock = Stopwatch.StartNew();
        try
        {
            using var client = await HoldStorm.ConnectAsync(first.BaseAddress, OversellFixture.FanCount);
            var answered = 0;
            var acknowledged = 0;
            var eighth = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var storm = HoldStorm.FireAsync(client, published.EventId, [.. fixture.Fans.Select(fan => (fan, HoldStorm.RandomAsk(random, seats, generalAdmission)))],
                attempt =>
                {
                    var holds = attempt.Acknowledged ? Interlocked.Increment(ref acknowledged) : Volatile.Read(ref acknowledged);
                    if (Interlocked.Increment(ref answered) >= OversellFixture.FanCount / 8 && holds > 0)
                    {
                        eighth.TrySetResult();
                    }
                },
                spread: TimeSpan.FromSeconds(2));
            await Task.WhenAny(eighth.Task, storm);
            await first.KillAsync();
            beforeKill = await storm;
        }
        finally
        {
            await first.DisposeAsync();
        }

        output.WriteLine($"killed after {clock.ElapsedMilliseconds} ms: {HoldStorm.Summary(beforeKill)}");
        beforeKill.Should().Contain(a => a.Status == null, "the kill must land mid-storm for this test to mean anything");
        beforeKill.Should().Contain(a => a.Acknowledged, "some holds must be acknowledged before the kill for this test to mean anything");
        beforeKill.Where(a => a.Status is not null && !a.Acknowledged && !a.Refused).Should().BeEmpty("until the kill, every answer is a hold or a refusal");

        // 2. The restarted host knows every hold it acknowledged, and refuses their seats to a second storm.
        await using var second = await fixture.StartChildAsync(environment);
        output.WriteLine($"restarted {clock.ElapsedMilliseconds} ms after the storm began");
        using var restartedClient = await HoldStorm.ConnectAsync(second.BaseAddress, OversellFixture.FanCount);
        var afterRestart = await HoldStorm.FireAsync(restartedClient, published.EventId, [.. fixture.Fans.Select(fan => (fan, HoldStorm.RandomAsk(random, seats, generalAdmission)))]);
        output.WriteLine($"second storm done {clock.ElapsedMilliseconds} ms after the first began: {HoldStorm.Summary(afterRestart)}");
        ExpectOnlyAnswersFansCanActOn(afterRestart);
        var everything = beforeKill.Concat(afterRestart).ToList();
        var ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        var liveFromBefore = beforeKill.Count(a => a.Acknowledged && a.Hold!.ExpiresAt > ledger.ReadAt);
        output.WriteLine($"{liveFromBefore} holds acknowledged before the kill were still live when the ledger was read");
        ExpectNoViolations("after the restart", ledger.Violations(ledger.ReadAt), HoldStorm.Violations(everything, ledger));

        // 3. Every hold runs out; the reminders (some due while the host was dead) put every seat and place back on sale.
        await Eventually.AssertAsync(async () =>
        {
            var now = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
            now.ExpiredUnsoldClaims(now.ReadAt).Select(c => $"{c.SeatId} (hold {c.HoldId}, expired {c.ExpiresAt:HH:mm:ss.fff})")
                .Should().BeEmpty($"every expired hold's seats are released by its reminder (read at {now.ReadAt:HH:mm:ss.fff})");
            now.ExpiredUnsoldPlaces(now.ReadAt).Should().BeEmpty("every expired hold's general-admission places are released by its reminder");
            var availability = await HoldStorm.AvailabilityAsync(second.Client, published.EventId);
            var zones = availability.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("zones").EnumerateArray()).ToList();
            var sold = now.Claims.Values.Count(c => c.Sold);
            zones.Sum(z => z.GetProperty("available").GetInt32()).Should().Be(now.Seats.Count - sold, "availability is capacity minus sold once holds have expired");
            zones.Sum(z => z.GetProperty("held").GetInt32()).Should().Be(0);
            var places = availability.GetProperty("generalAdmission").EnumerateArray().Single();
            places.GetProperty("available").GetInt32().Should().Be(GeneralAdmissionCapacity - now.Places.Where(p => p.Sold).Sum(p => p.Quantity));
        }, CrashHoldDuration + TimeSpan.FromSeconds(20));
        output.WriteLine($"every expired hold was released {clock.ElapsedMilliseconds} ms after the first storm began");

        (await fixture.Database.ScalarAsync<long>("select count(*) from runtime.actor_reminders where actor_id like $1 and name like 'expire:%'", $"{published.EventId:N}.%"))
            .Should().Be(0, "no expiry reminder is left once every hold has expired");

        // 4. What went back on sale sells again, once.
        var third = await HoldStorm.FireAsync(restartedClient, published.EventId, [.. fixture.Fans.Select(fan => (fan, HoldStorm.RandomAsk(random, seats, generalAdmission)))]);
        output.WriteLine($"third storm, on the released seats: {HoldStorm.Summary(third)}");
        ExpectOnlyAnswersFansCanActOn(third);
        third.Should().Contain(a => a.Acknowledged, "the seats of expired holds are on sale again");
        everything.AddRange(third);
        ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        ExpectNoViolations("after the released seats were held again", ledger.Violations(ledger.ReadAt), HoldStorm.Violations(everything, ledger));
    }

    [Fact]
    public async Task A_hold_of_specific_seats_and_best_available_in_the_same_section_gets_distinct_seats()
    {
        var host = await fixture.HostAsync();
        var (published, _) = await PublishAsync();
        var fan = fixture.Fans[0];
        var attempt = await HoldStorm.SendAsync(host.Client, published.EventId, fan, new HoldAsk(["A1-5-5"], 2, []));

        attempt.Status.Should().Be(HttpStatusCode.Created, attempt.ToString());
        attempt.Hold!.Seats.Select(s => s.Id).Should().OnlyHaveUniqueItems().And.HaveCount(3).And.Contain("A1-5-5");
        var ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        ledger.Claims.Values.Where(c => c.HoldId == attempt.Hold.HoldId).Should().HaveCount(3, "the section claims the three seats the fan was told about");
    }

    [Fact]
    public async Task A_hold_naming_one_general_admission_type_twice_never_gets_more_places_than_are_left()
    {
        var host = await fixture.HostAsync();
        var (published, generalAdmission) = await PublishAsync();
        var others = new List<HoldAttempt>();
        foreach (var fan in fixture.Fans.Skip(1).Take(3))
        {
            others.Add(await HoldStorm.SendAsync(host.Client, published.EventId, fan, new HoldAsk([], null, [new(generalAdmission, 8)])));
        }

        others.Should().OnlyContain(a => a.Acknowledged);
        var left = GeneralAdmissionCapacity - 3 * 8;

        var attempt = await HoldStorm.SendAsync(host.Client, published.EventId, fixture.Fans[4], new HoldAsk([], null, [new(generalAdmission, 1), new(generalAdmission, left)]));

        var ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        ExpectNoViolations("after a hold named one type twice", ledger.Violations(ledger.ReadAt), HoldStorm.Violations([.. others, attempt], ledger));
        attempt.Status.Should().Be(HttpStatusCode.Conflict, $"1 + {left} places were asked for and only {left} are left: {attempt}");
    }

    [Fact]
    public async Task A_commit_that_fails_on_one_part_leaves_no_other_part_sold()
    {
        var host = await fixture.HostAsync();
        var (published, generalAdmission) = await PublishAsync();
        var fan = fixture.Fans[5];
        var attempt = await HoldStorm.SendAsync(host.Client, published.EventId, fan, new HoldAsk(["A1-1-1", "A1-1-2"], null, [new(generalAdmission, 2)]));
        attempt.Status.Should().Be(HttpStatusCode.Created, attempt.ToString());
        var actors = host.Services.GetRequiredService<IActorProxyFactory>();
        // The general-admission part is gone when the order commits, as when its actor was too busy to commit it before it
        // expired (reproduced by flooding that actor while committing with 2.4 s left): the section part is committed first.
        await actors.CreateActorProxy<Domain.IGeneralAdmissionActor>(InventoryActors.GeneralAdmissionId(published.EventId, generalAdmission), InventoryActors.GeneralAdmission)
            .ReleaseAsync(new Domain.ReleasePart(attempt.Hold!.HoldId, "expired"));

        var order = Guid.NewGuid();
        var outcome = await actors.CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(published.EventId, fan.UserId), InventoryActors.BuyerHolds)
            .CommitHoldAsync(new CommitHold(attempt.Hold.HoldId, order));

        outcome.Failure.Should().NotBeNull("a part of the hold is gone");
        var ledger = await InventoryLedger.ReadAsync(fixture.Database.ConnectionString, published.EventId);
        ledger.Claims.Values.Where(c => c.OrderId == order).Select(c => c.SeatId)
            .Should().BeEmpty($"the commit failed ({outcome.Failure}), so nothing may be sold to order {order}");
        ExpectNoViolations("after a failed commit", ledger.Violations(ledger.ReadAt));
    }

    /// <summary>One section of 10 rows of 10 seats (ids <c>A1-{row}-{n}</c>) and a general-admission type of 30 places.</summary>
    private async Task<(EventPublished Event, Guid GeneralAdmission)> PublishAsync()
    {
        var generalAdmission = TestEvents.GeneralAdmission(GeneralAdmissionCapacity);
        var published = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 10, seatsPerRow: 10, generalAdmission: [generalAdmission]));
        return (published, generalAdmission.Id);
    }

    private static Random Seeded(out int seed)
    {
        seed = Environment.GetEnvironmentVariable("OVERSELL_SEED") is { } given ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        return new Random(seed);
    }

    private static void ExpectOnlyAnswersFansCanActOn(IReadOnlyList<HoldAttempt> attempts)
    {
        var unexpected = attempts.Where(a => !a.Acknowledged && !a.Refused).ToList();
        unexpected.Select(a => a.ToString()).Take(20).Should().BeEmpty(
            $"every attempt is either held (201) or refused (409/422), never a server error or no answer; all outcomes: {HoldStorm.Summary(attempts)}");
        (attempts.Count(a => a.Acknowledged) + attempts.Count(a => a.Refused)).Should().Be(attempts.Count);
    }

    private void ExpectNoViolations(string when, params IReadOnlyList<string>[] found)
    {
        var all = found.SelectMany(f => f).ToList();
        foreach (var violation in all.Take(50))
        {
            output.WriteLine(violation);
        }

        all.Should().BeEmpty($"nothing is ever sold or held twice ({when}); {all.Count} violation(s), the first ones are listed above");
    }
}
