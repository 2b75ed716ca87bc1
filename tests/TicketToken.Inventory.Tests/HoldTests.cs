using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;

namespace TicketToken.Inventory.Tests;

public sealed class HoldTests(InventoryFixture fixture) : IClassFixture<InventoryFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Specific_seats_are_held_for_one_fan_and_refused_to_the_next()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();

        var hold = await Client.HeldAsync(first, e.EventId, new { seats = new[] { "A1-3-4", "A1-3-5" } });
        using var refused = await Client.HoldAsync(second, e.EventId, new { seats = new[] { "A1-3-5", "A1-3-6" } });

        hold.SeatIds().Should().BeEquivalentTo(["A1-3-4", "A1-3-5"]);
        hold.GetProperty("expiresAt").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow.AddMinutes(10), TimeSpan.FromSeconds(30));
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemCodeAsync()).Should().Be(HoldFailures.SeatUnavailable);
        (await Client.SeatStatusesAsync(e.EventId))["A1-3-6"].Should().Be("available", "a refused hold takes nothing");
    }

    [Fact]
    public async Task A_released_hold_gives_its_seats_to_the_next_fan_and_says_so()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(first, e.EventId, new { seats = new[] { "B1-1-1" } });
        var holdId = hold.GetProperty("holdId").GetGuid();

        using var release = first.Request(HttpMethod.Delete, $"/api/inventory/events/{e.EventId}/holds/{holdId}");
        using var released = await Client.SendAsync(release);
        var again = await Client.HeldAsync(second, e.EventId, new { seats = new[] { "B1-1-1" } });

        released.StatusCode.Should().Be(HttpStatusCode.NoContent);
        again.SeatIds().Should().Equal("B1-1-1");
        var notice = await fixture.Events.WaitForAsync(SeatsReleased.Topic, n => n.GetProperty("holdId").GetGuid() == holdId);
        notice.GetProperty("reason").GetString().Should().Be("released");
    }

    [Fact]
    public async Task Best_available_takes_adjacent_seats_in_the_best_row_without_stranding_a_single_seat()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 3, seatsPerRow: 6));
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        // Row 1 keeps seats 2..6 free: 5 in a run. Four of them would strand one seat, so four go to row 2.
        await Client.HeldAsync(other, e.EventId, new { seats = new[] { "A1-1-1" } });

        var pair = await Client.HeldAsync(fan, e.EventId, new { best = new { quantity = 2 } });
        var four = await Client.HeldAsync(other, e.EventId, new { best = new { quantity = 4 } });

        pair.SeatIds().Should().BeEquivalentTo(["A1-1-2", "A1-1-3"], "row 1 has a run of five; a pair at its start leaves three together");
        four.SeatIds().Should().Match<IReadOnlyList<string>>(ids => ids.All(id => id.StartsWith("A1-2-", StringComparison.Ordinal)), "row 1 has only three left together");
        four.SeatIds().Should().BeEquivalentTo(["A1-2-1", "A1-2-2", "A1-2-3", "A1-2-4"], "flush with the row's end: seats 2-5 would strand seats 1 and 6");
    }

    [Fact]
    public async Task Best_available_in_a_price_zone_only_takes_seats_of_that_zone()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 2, rows: 4, seatsPerRow: 4));
        var fan = await fixture.Personas.FanAsync();

        var hold = await Client.HeldAsync(fan, e.EventId, new { best = new { quantity = 3, priceZone = "B" } });

        hold.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("priceZone").GetString()).Should().OnlyContain(z => z == "B");
        hold.GetProperty("seats").EnumerateArray().Select(s => s.GetProperty("row").GetString()).Distinct().Should().ContainSingle("adjacent seats share a row");
    }

    [Fact]
    public async Task A_hold_across_sections_is_all_or_nothing()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();
        await Client.HeldAsync(first, e.EventId, new { seats = new[] { "B1-2-2" } });

        using var refused = await Client.HoldAsync(second, e.EventId, new { seats = new[] { "A1-2-2", "B1-2-2" } });

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await Client.SeatStatusesAsync(e.EventId))["A1-2-2"].Should().Be("available", "the part in A1 was given back when B1 failed");
    }

    [Fact]
    public async Task General_admission_never_goes_beyond_capacity()
    {
        var standing = TestEvents.GeneralAdmission(capacity: 3);
        var e = await fixture.PublishAsync(TestEvents.Reserved(generalAdmission: [standing]));
        var first = await fixture.Personas.FanAsync();
        var second = await fixture.Personas.FanAsync();

        await Client.HeldAsync(first, e.EventId, new { generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 2 } } });
        using var tooMany = await Client.HoldAsync(second, e.EventId, new { generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 2 } } });
        var last = await Client.HeldAsync(second, e.EventId, new { generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 1 } } });
        using var soldOut = await Client.HoldAsync(second, e.EventId, new { generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 1 } } });

        (await tooMany.ProblemCodeAsync()).Should().Be(HoldFailures.NotEnoughSeats);
        last.GetProperty("generalAdmission")[0].GetProperty("quantity").GetInt32().Should().Be(1);
        (await soldOut.ProblemCodeAsync()).Should().Be(HoldFailures.SoldOut);
    }

    [Fact]
    public async Task Order_and_account_limits_hold_across_concurrent_holds()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(perOrder: 4, perAccount: 6));
        var fan = await fixture.Personas.FanAsync();

        using var overOrder = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 5 } });
        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 3 } })));

        overOrder.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await overOrder.ProblemCodeAsync()).Should().Be(HoldFailures.OrderLimit);
        attempts.Count(r => r.StatusCode == HttpStatusCode.Created).Should().Be(2, "two holds of three reach the account limit of six");
        foreach (var refused in attempts.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            (await refused.ProblemCodeAsync()).Should().Be(HoldFailures.AccountLimit);
        }

        foreach (var response in attempts)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Bad_hold_requests_are_problems_and_take_nothing()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();

        using var unknown = await Client.HoldAsync(fan, e.EventId, new { seats = new[] { "Z9-1-1" } });
        using var empty = await Client.HoldAsync(fan, e.EventId, new { });
        using var zero = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 0 } });
        using var noEvent = await Client.HoldAsync(fan, Guid.NewGuid(), new { best = new { quantity = 1 } });

        unknown.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknown.ProblemCodeAsync()).Should().Be(HoldFailures.UnknownSeat);
        (await empty.ProblemCodeAsync()).Should().Be(HoldFailures.InvalidRequest);
        zero.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        noEvent.StatusCode.Should().Be(HttpStatusCode.NotFound, "an id nobody published is not found, as its availability is");
        (await noEvent.ProblemCodeAsync()).Should().Be(HoldFailures.EventNotFound);
    }

    [Fact]
    public async Task A_repeated_request_with_the_same_idempotency_key_is_the_same_hold()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();

        var first = await Client.HeldAsync(fan, e.EventId, new { best = new { quantity = 2 } });
        using var retried = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 2 } }, idempotencyKey: "tap-1");
        using var retriedAgain = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 2 } }, idempotencyKey: "tap-1");

        var one = await retried.Content.ReadFromJsonAsync<JsonElement>();
        var two = await retriedAgain.Content.ReadFromJsonAsync<JsonElement>();
        two.GetProperty("holdId").GetGuid().Should().Be(one.GetProperty("holdId").GetGuid());
        two.SeatIds().Should().Equal(one.SeatIds());
        one.SeatIds().Should().NotIntersectWith(first.SeatIds());
        (await Client.SeatStatusesAsync(e.EventId)).Values.Count(s => s == "held").Should().Be(4, "two holds of two, not three");
    }

    [Fact]
    public async Task A_fan_sees_only_their_own_holds()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var owner = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(owner, e.EventId, new { best = new { quantity = 1 } });
        var path = $"/api/inventory/events/{e.EventId}/holds/{hold.GetProperty("holdId").GetGuid()}";

        using var mine = await Client.SendAsync(owner.Request(HttpMethod.Get, path));
        using var theirs = await Client.SendAsync(other.Request(HttpMethod.Get, path));
        using var release = await Client.SendAsync(other.Request(HttpMethod.Delete, path));

        mine.StatusCode.Should().Be(HttpStatusCode.OK);
        theirs.StatusCode.Should().Be(HttpStatusCode.NotFound);
        release.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Client.SeatStatusesAsync(e.EventId))[hold.SeatIds()[0]].Should().Be("held");
    }

    [Fact]
    public async Task A_committed_hold_is_sold_once_and_announced()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-1-5", "A1-1-6" } });
        var holdId = hold.GetProperty("holdId").GetGuid();
        var orderId = Guid.NewGuid();
        var buyer = fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(e.EventId, fan.UserId), InventoryActors.BuyerHolds);

        var committed = await buyer.CommitHoldAsync(new CommitHold(holdId, orderId));
        var again = await buyer.CommitHoldAsync(new CommitHold(holdId, orderId));
        var otherOrder = await buyer.CommitHoldAsync(new CommitHold(holdId, Guid.NewGuid()));
        using var taken = await Client.HoldAsync(other, e.EventId, new { seats = new[] { "A1-1-6" } });

        committed.Hold!.Status.Should().Be(HoldStatus.Sold);
        again.Hold!.OrderId.Should().Be(orderId, "committing again with the same order is the same success");
        otherOrder.Failure.Should().Be(HoldFailures.AlreadySold);
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var statuses = await Client.SeatStatusesAsync(e.EventId);
        statuses["A1-1-5"].Should().Be("sold");
        statuses["A1-1-6"].Should().Be("sold");
        var sold = await fixture.Events.WaitForAsync(SeatsSold.Topic, s => s.GetProperty("holdId").GetGuid() == holdId);
        sold.GetProperty("orderId").GetGuid().Should().Be(orderId);
        await Task.Delay(300);
        fixture.Events.On(SeatsSold.Topic).Count(s => s.GetProperty("holdId").GetGuid() == holdId).Should().Be(1, "one sale, one announcement");
    }

    [Fact]
    public async Task A_cancelled_event_ends_its_holds_and_sells_nothing_more()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-4-4" } });

        await fixture.Host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventCancelled.Topic,
            new EventCancelled(e.EventId, e.OrganizerId, "Storm warning", DateTimeOffset.UtcNow));
        await TicketToken.Testing.Eventually.TrueAsync(async () => (await Client.SeatStatusesAsync(e.EventId))["A1-4-4"] == "available", "the cancelled event's hold is released");
        using var refused = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 1 } });

        hold.SeatIds().Should().Equal("A1-4-4");
        (await refused.ProblemCodeAsync()).Should().Be(HoldFailures.EventNotOnSale);
        (await Client.AvailableByZoneAsync(e.EventId)).Values.Should().OnlyContain(n => n == 0, "nothing is for sale any more");
    }

    [Fact]
    public async Task Holds_survive_a_republish_of_the_event()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-5-1" } });

        await fixture.PublishAsync(TestEvents.Reserved(eventId: e.EventId, version: 2));

        (await Client.SeatStatusesAsync(e.EventId))["A1-5-1"].Should().Be("held");
    }

    [Fact]
    public async Task Blocked_seats_are_never_held()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 1, rows: 1, seatsPerRow: 4, blocked: id => id == "A1-1-2"));
        var fan = await fixture.Personas.FanAsync();

        using var blocked = await Client.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-2" } });
        using var pairs = await Client.HoldAsync(fan, e.EventId, new { best = new { quantity = 3 } });

        (await blocked.ProblemCodeAsync()).Should().Be(HoldFailures.SeatUnavailable);
        (await pairs.ProblemCodeAsync()).Should().Be(HoldFailures.NotEnoughSeats, "the blocked seat splits the row into 1 and 2");
    }

    [Fact]
    public async Task Availability_counts_seats_per_section_and_zone()
    {
        var standing = TestEvents.GeneralAdmission(capacity: 50);
        var e = await fixture.PublishAsync(TestEvents.Reserved(sections: 2, rows: 4, seatsPerRow: 5, generalAdmission: [standing]));
        var fan = await fixture.Personas.FanAsync();
        await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-1-1" }, generalAdmission = new[] { new { ticketTypeId = standing.Id, quantity = 2 } } });

        var availability = await Client.GetFromJsonAsync<JsonElement>($"/api/inventory/events/{e.EventId}/availability");
        var byZone = await Client.AvailableByZoneAsync(e.EventId);

        availability.GetProperty("onSale").GetBoolean().Should().BeTrue();
        byZone["A"].Should().Be(2 * 2 * 5 - 1);
        byZone["B"].Should().Be(2 * 2 * 5);
        var general = availability.GetProperty("generalAdmission")[0];
        general.GetProperty("available").GetInt32().Should().Be(48);
        general.GetProperty("held").GetInt32().Should().Be(2);
    }
}
