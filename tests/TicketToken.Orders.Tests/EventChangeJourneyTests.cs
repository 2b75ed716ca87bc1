using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>The purchase journey's modules on a clock the test moves: a refund window closes when the test says so.</summary>
public sealed class FakeClockJourneyFixture : JourneyFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? Configure => builder => builder.Services.AddSingleton<TimeProvider>(Clock);
}

/// <summary>
/// A rescheduled event: buyers from before the move may have their orders refunded (the gateway, the ledger, the
/// tickets) until the organizer's deadline, and not after it; buyers from after the move have no offer.
/// </summary>
public sealed class RescheduleRefundTests(FakeClockJourneyFixture fixture) : IClassFixture<FakeClockJourneyFixture>
{
    [Fact]
    public async Task Holders_from_before_a_reschedule_claim_a_full_refund_within_the_window_and_are_refused_after_it()
    {
        var (admin, _, eventId) = await fixture.OnSaleEventAsync(("Floor", 3_000, 40));
        var floor = await fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);
        var claimer = await fixture.Personas.FanAsync();
        var claimed = await BuyAsync(claimer, eventId, floor, 2);
        var late = await fixture.Personas.FanAsync();
        var tooLate = await BuyAsync(late, eventId, floor, 1);

        var before = await fixture.Client.SendAsync(claimer, HttpMethod.Get, $"/api/orders/{claimed}/reschedule-refund");
        await before.ShouldBeProblemAsync(HttpStatusCode.NotFound, "no_refund_offer");

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var @event = await GetAsync(admin, $"/api/events/{eventId}");
        var startsAt = @event.GetProperty("startsAt").GetDateTimeOffset();
        await fixture.PostAsync(admin, $"/api/events/{eventId}/changes/reschedule", new
        {
            expectedVersion = @event.GetProperty("version").GetInt64(), startsAt = startsAt.AddDays(14), endsAt = startsAt.AddDays(14).AddHours(3),
            refundWindowDays = 7, reason = "The band's flight was cancelled.",
        }, HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from orders.event_reschedules where event_id = $1", eventId) == 1,
            "orders heard of the reschedule");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var after = await BuyAsync(await fixture.Personas.FanAsync(), eventId, floor, 1);

        var offer = await GetAsync(claimer, $"/api/orders/{claimed}/reschedule-refund");
        offer.GetProperty("open").GetBoolean().Should().BeTrue();
        offer.GetProperty("startsAt").GetDateTimeOffset().Should().Be(startsAt.AddDays(14));
        var paid = await fixture.Database.ScalarAsync<long>("select total from orders.orders where id = $1", claimed);
        offer.GetProperty("amount").GetInt64().Should().Be(paid, "the fan did not choose the move: fees come back too");

        var refund = await fixture.PostAsync(claimer, $"/api/orders/{claimed}/reschedule-refund", null, HttpStatusCode.Accepted);
        var again = await fixture.PostAsync(claimer, $"/api/orders/{claimed}/reschedule-refund", null, HttpStatusCode.Accepted);
        again.GetProperty("id").GetGuid().Should().Be(refund.GetProperty("id").GetGuid(), "a repeated claim is the same refund");
        await fixture.OrderReachesAsync(claimer, claimed, "refunded");
        await fixture.DrainAsync();

        (await fixture.Database.ScalarAsync<long>("select count(*) from payments.refunds where order_id = $1", claimed)).Should().Be(1, "refunded once at the gateway");
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.refunds where order_id = $1 and status = 'succeeded'", claimed)).Should().Be(paid);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status in ('active', 'issued')", claimed))
            .Should().Be(0, "the refunded tickets no longer admit");
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status in ('active', 'issued')", tooLate)).Should().Be(1);
        (await fixture.Database.ScalarAsync<long>("select coalesce(sum(amount), 0) from payments.journal_entries")).Should().Be(0, "the ledger sums to zero");
        using var availabilityResponse = await fixture.Client.GetAsync($"/api/inventory/events/{eventId}/availability");
        var availability = await availabilityResponse.ShouldBeAsync(HttpStatusCode.OK);
        availability.GetProperty("generalAdmission")[0].GetProperty("sold").GetInt32().Should().Be(2, "the claimed places went back on sale");

        using (var bought = await fixture.Client.SendAsync(late, HttpMethod.Get, $"/api/orders/{after}/reschedule-refund"))
        {
            // 'after' belongs to another fan: the late fan is answered as if it did not exist.
            await bought.ShouldBeProblemAsync(HttpStatusCode.NotFound, "order_not_found");
        }

        fixture.Clock.Advance(TimeSpan.FromDays(7));
        using var closed = await fixture.Client.SendAsync(late, HttpMethod.Post, $"/api/orders/{tooLate}/reschedule-refund", null);
        await closed.ShouldBeProblemAsync(HttpStatusCode.Conflict, "refund_window_closed");
        (await GetAsync(late, $"/api/orders/{tooLate}/reschedule-refund")).GetProperty("open").GetBoolean().Should().BeFalse();
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.refunds where order_id = $1", tooLate)).Should().Be(0);
    }

    [Fact]
    public async Task An_order_bought_after_the_reschedule_has_no_refund_offer()
    {
        var (admin, _, eventId) = await fixture.OnSaleEventAsync(("Floor", 2_000, 10));
        var floor = await fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);
        var startsAt = (await GetAsync(admin, $"/api/events/{eventId}")).GetProperty("startsAt").GetDateTimeOffset();
        await fixture.PostAsync(admin, $"/api/events/{eventId}/changes/reschedule", new
        {
            expectedVersion = 1, startsAt = startsAt.AddDays(1), endsAt = startsAt.AddDays(1).AddHours(2), refundWindowDays = 30, reason = "Moved a day",
        }, HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select count(*) from orders.event_reschedules where event_id = $1", eventId) == 1,
            "orders heard of the reschedule");
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var fan = await fixture.Personas.FanAsync();
        var order = await BuyAsync(fan, eventId, floor, 1);

        using var response = await fixture.Client.SendAsync(fan, HttpMethod.Post, $"/api/orders/{order}/reschedule-refund", null);
        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "no_refund_offer");
    }

    private async Task<Guid> BuyAsync(Person fan, Guid eventId, Guid ticketTypeId, int quantity)
    {
        var hold = await fixture.HoldAsync(fan, eventId, new { generalAdmission = new[] { new { ticketTypeId, quantity } } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        return orderId;
    }

    private async Task<JsonElement> GetAsync(Person person, string path)
    {
        using var response = await fixture.Client.SendAsync(person, HttpMethod.Get, path);
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }
}

/// <summary>More places and new types for an event on sale, and new prices for what is not sold yet, through catalog, inventory and orders.</summary>
public sealed class EventChangeJourneyTests(JourneyFixture fixture) : IClassFixture<JourneyFixture>
{
    [Fact]
    public async Task Capacity_grows_without_touching_what_is_sold_a_new_type_goes_on_sale_and_less_than_sold_is_refused()
    {
        var (admin, _, eventId) = await fixture.OnSaleEventAsync(("Floor", 2_500, 5));
        var floor = await fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);
        var fan = await fixture.Personas.FanAsync();
        await BuyAsync(fan, eventId, floor, 3);
        await fixture.HoldAsync(await fixture.Personas.FanAsync(), eventId, new { generalAdmission = new[] { new { ticketTypeId = floor, quantity = 1 } } });

        using (var below = await fixture.Client.SendAsync(admin, HttpMethod.Post, $"/api/events/{eventId}/changes/capacity",
            new { expectedVersion = 1, capacities = new[] { new { ticketTypeId = floor, capacity = 3 } } }))
        {
            (await below.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "capacity_below_sold")).Detail.Should().Contain("4 places sold or held");
        }

        var changed = await fixture.PostAsync(admin, $"/api/events/{eventId}/changes/capacity", new
        {
            expectedVersion = 1, capacities = new[] { new { ticketTypeId = floor, capacity = 9 } },
            add = new[] { new { name = "Balcony", kind = "general_admission", capacity = 6, priceMinor = 4_000 } },
        }, HttpStatusCode.OK);
        changed.GetProperty("version").GetInt64().Should().Be(2);

        JsonElement general = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await fixture.Client.GetAsync($"/api/inventory/events/{eventId}/availability");
            general = (await response.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("generalAdmission");
            return general.GetArrayLength() == 2 && general.EnumerateArray().Any(g => g.Text("name") == "Floor" && g.GetProperty("capacity").GetInt32() == 9);
        }, "inventory applied the new version");
        var floorStatus = general.EnumerateArray().Single(g => g.Text("name") == "Floor");
        (floorStatus.GetProperty("sold").GetInt32(), floorStatus.GetProperty("held").GetInt32(), floorStatus.GetProperty("available").GetInt32())
            .Should().Be((3, 1, 5), "what was sold and held stays; the new places are for sale");
        // Orders hears of the new type on its own, maybe after inventory did.
        var balcony = Guid.Empty;
        await Eventually.TrueAsync(async () => (balcony = await fixture.Database.ScalarAsync<Guid>(
            "select ticket_type_id from orders.ticket_prices where event_id = $1 and name = 'Balcony'", eventId)) != Guid.Empty, "orders applied the new version");
        await BuyAsync(await fixture.Personas.FanAsync(), eventId, balcony, 2);
    }

    [Fact]
    public async Task A_price_change_applies_to_new_holds_while_earlier_holds_and_orders_keep_their_price()
    {
        var (admin, _, eventId) = await fixture.OnSaleEventAsync(("Floor", 3_000, 20));
        var floor = await fixture.Database.ScalarAsync<Guid>("select ticket_type_id from orders.ticket_prices where event_id = $1 and kind = 'general_admission'", eventId);
        var buyer = await fixture.Personas.FanAsync();
        var ordered = await BuyAsync(buyer, eventId, floor, 1);
        var early = await fixture.Personas.FanAsync();
        var earlyHold = await fixture.HoldAsync(early, eventId, new { generalAdmission = new[] { new { ticketTypeId = floor, quantity = 1 } } });

        await fixture.PostAsync(admin, $"/api/events/{eventId}/changes/prices", new { expectedVersion = 1, prices = new[] { new { ticketTypeId = floor, priceMinor = 4_500 } } },
            HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select price_minor from orders.ticket_prices where event_id = $1 and ticket_type_id = $2",
            eventId, floor) == 4_500, "orders applied the new price");

        var late = await fixture.Personas.FanAsync();
        var lateHold = await fixture.HoldAsync(late, eventId, new { generalAdmission = new[] { new { ticketTypeId = floor, quantity = 1 } } });
        var earlyOrder = await fixture.CheckedOutAsync(early, eventId, earlyHold);
        var lateOrder = await fixture.CheckedOutAsync(late, eventId, lateHold);

        earlyOrder.GetProperty("lines")[0].GetProperty("faceValue").GetInt64().Should().Be(3_000, "the hold was made before the change");
        lateOrder.GetProperty("lines")[0].GetProperty("faceValue").GetInt64().Should().Be(4_500);
        (await fixture.OrderAsync(buyer, ordered)).GetProperty("lines")[0].GetProperty("faceValue").GetInt64().Should().Be(3_000, "a placed order keeps its price");
    }

    private async Task<Guid> BuyAsync(Person fan, Guid eventId, Guid ticketTypeId, int quantity)
    {
        var hold = await fixture.HoldAsync(fan, eventId, new { generalAdmission = new[] { new { ticketTypeId, quantity } } });
        var orderId = (await fixture.CheckedOutAsync(fan, eventId, hold)).GetProperty("id").GetGuid();
        await fixture.PayAsync(fan, orderId, "4242424242424242");
        await fixture.OrderReachesAsync(fan, orderId, "confirmed");
        return orderId;
    }
}

/// <summary>
/// Versions of an event reach orders in any order (pub/sub promises none): a version that comes before its predecessor
/// waits (the handler answers retry) instead of being applied, so the change it skipped is not lost.
/// </summary>
public sealed class EventVersionOrderTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task Version_three_arriving_before_version_two_waits_for_it_and_both_price_changes_are_kept()
    {
        var published = await fixture.PublishAsync();
        var standing = published.TicketTypes.Single(t => t.Kind == PublishedTicketType.GeneralAdmission);
        var changedAt = DateTimeOffset.UtcNow;
        EventPublished Priced(long version, long price, DateTimeOffset at) => published with
        {
            Version = version,
            TicketTypes = [.. published.TicketTypes.Select(t => t.Id == standing.Id ? t with { PriceMinor = price } : t)],
            Change = new EventChange(EventChange.Prices, at, null),
        };
        var publisher = fixture.Host.GetKeyed<IEventPublisher>(OrdersModule.Id);

        await publisher.PublishEventAsync(PubSubNames.Default, EventPublished.Topic, Priced(3, 5_000, changedAt.AddMinutes(2)));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("""
            select count(*) from runtime.deliveries where topic = 'event.published' and attempt >= 1 and (event -> 'data' ->> 'version')::bigint = 3
            """) == 1, "orders was handed version 3 and asked for it again later");
        (await fixture.Database.ScalarAsync<long>("select version from orders.events where id = $1", published.EventId)).Should().Be(1, "version 2 has not come yet");
        (await fixture.Database.ScalarAsync<long>("select price_minor from orders.ticket_prices where event_id = $1 and ticket_type_id = $2", published.EventId, standing.Id))
            .Should().Be(3_000);

        await publisher.PublishEventAsync(PubSubNames.Default, EventPublished.Topic, Priced(2, 4_000, changedAt.AddMinutes(1)));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select version from orders.events where id = $1", published.EventId) == 3,
            "version 3 was applied after version 2", TimeSpan.FromMinutes(2));

        (await fixture.Database.ScalarAsync<long>("select price_minor from orders.ticket_prices where event_id = $1 and ticket_type_id = $2", published.EventId, standing.Id))
            .Should().Be(5_000);
        var history = await fixture.Database.ScalarAsync<string>("""
            select string_agg(price_minor::text, ',' order by replaced_at) from orders.ticket_price_history where event_id = $1 and ticket_type_id = $2
            """, published.EventId, standing.Id);
        history.Should().Be("3000,4000", "each price is kept with the moment it was replaced, the one in between too");

        await publisher.PublishEventAsync(PubSubNames.Default, EventPublished.Topic, Priced(2, 1, changedAt.AddMinutes(1)));
        await publisher.PublishEventAsync(PubSubNames.Default, EventPublished.Topic, Priced(4, 6_000, changedAt.AddMinutes(3)));
        await Eventually.TrueAsync(async () => await fixture.Database.ScalarAsync<long>("select version from orders.events where id = $1", published.EventId) == 4
            && await fixture.Database.ScalarAsync<long>("select count(*) from runtime.deliveries where topic = 'event.published'") == 0, "version 4 applied and the repeat handled");
        (await fixture.Database.ScalarAsync<long>("select count(*) from orders.ticket_price_history where event_id = $1", published.EventId))
            .Should().Be(3, "the repeated version 2 changed nothing");
    }
}
