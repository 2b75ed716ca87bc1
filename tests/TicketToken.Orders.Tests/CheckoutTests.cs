using System.Net;
using TicketToken.Orders.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>Checking out a hold: what a wrong request gets, what an order costs, and what makes a retry safe.</summary>
public sealed class CheckoutTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task Checking_out_without_an_idempotency_key_is_refused()
    {
        var e = await fixture.PublishAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-1" } });

        using var response = await fixture.CheckoutAsync(fan, e.EventId, hold, idempotencyKey: null);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_required");
        (await fixture.Database.ScalarAsync<int>("select count(*) from orders.orders where hold_id = $1", hold)).Should().Be(0);
    }

    [Fact]
    public async Task Another_fans_hold_or_no_hold_is_not_found()
    {
        var e = await fixture.PublishAsync();
        var owner = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(owner, e.EventId, new { seats = new[] { "A1-1-2" } });

        using var stolen = await fixture.CheckoutAsync(other, e.EventId, hold, Guid.NewGuid().ToString());
        using var invented = await fixture.CheckoutAsync(owner, e.EventId, Guid.NewGuid(), Guid.NewGuid().ToString());

        await stolen.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hold_not_found");
        await invented.ShouldBeProblemAsync(HttpStatusCode.NotFound, "hold_not_found");
    }

    [Fact]
    public async Task An_unknown_event_is_not_found()
    {
        var fan = await fixture.Personas.FanAsync();

        using var response = await fixture.CheckoutAsync(fan, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid().ToString());

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "event_not_found");
    }

    [Fact]
    public async Task An_order_prices_each_seat_by_its_zone_and_adds_fees_and_the_venues_tax()
    {
        var e = await fixture.PublishAsync();
        var fan = await fixture.Personas.FanAsync();
        var standing = e.TicketTypes.Single(t => t.Kind == "general_admission").Id;
        var hold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-3", "A1-4-3" }, generalAdmission = new[] { new { ticketTypeId = standing, quantity = 1 } } });

        var order = await fixture.CheckedOutAsync(fan, e.EventId, hold);

        var expected = Pricing.Price([8_500, 4_500, 3_000], new Fees(1_000, 100, 290, 30), null, 1_900);
        order.Text("status").Should().Be("pending_payment");
        order.Text("number").Should().MatchRegex("^TT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$");
        var amounts = order.GetProperty("amounts");
        amounts.GetProperty("faceValue").GetInt64().Should().Be(16_000);
        amounts.GetProperty("fees").GetInt64().Should().Be(expected.Fees);
        amounts.GetProperty("tax").GetInt64().Should().Be(expected.Tax);
        amounts.GetProperty("total").GetInt64().Should().Be(expected.Total);
        var lines = order.GetProperty("lines").EnumerateArray().ToList();
        lines.Select(l => l.GetProperty("faceValue").GetInt64()).Should().BeEquivalentTo([8_500L, 4_500L, 3_000L]);
        lines.Sum(l => l.GetProperty("total").GetInt64()).Should().Be(expected.Total);
        (await fixture.Database.ScalarAsync<long>("select total from orders.orders where id = $1", order.GetProperty("id").GetGuid())).Should().Be(expected.Total);
    }

    [Fact]
    public async Task A_retried_checkout_with_the_same_key_is_the_same_order_and_a_second_key_cannot_check_out_the_hold_again()
    {
        var e = await fixture.PublishAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-2-5" } });
        var key = Guid.NewGuid().ToString();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var response = await fixture.CheckoutAsync(fan, e.EventId, hold, key);
            return await response.ShouldBeAsync(HttpStatusCode.Accepted);
        }));
        using var otherKey = await fixture.CheckoutAsync(fan, e.EventId, hold, Guid.NewGuid().ToString());
        var otherHold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-2-6" } });
        using var reusedKey = await fixture.CheckoutAsync(fan, e.EventId, otherHold, key);

        attempts.Select(a => a.GetProperty("id").GetGuid()).Distinct().Should().ContainSingle();
        (await fixture.Database.ScalarAsync<int>("select count(*) from orders.orders where hold_id = $1", hold)).Should().Be(1);
        await otherKey.ShouldBeProblemAsync(HttpStatusCode.Conflict, "hold_already_checked_out");
        await reusedKey.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task Another_fan_cannot_see_an_order_and_my_orders_page_through_without_gaps()
    {
        var e = await fixture.PublishAsync();
        var fan = await fixture.Personas.FanAsync();
        var other = await fixture.Personas.FanAsync();
        var ids = new List<Guid>();
        foreach (var seat in new[] { "A1-5-1", "A1-5-2", "A1-5-3" })
        {
            var hold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { seat } });
            ids.Add((await fixture.CheckedOutAsync(fan, e.EventId, hold)).GetProperty("id").GetGuid());
        }

        using var peek = await fixture.Client.SendAsync(other, HttpMethod.Get, $"/api/orders/{ids[0]}");
        using var first = await fixture.Client.SendAsync(fan, HttpMethod.Get, "/api/orders?limit=2");
        var page = await first.ShouldBeAsync(HttpStatusCode.OK);
        using var second = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/orders?limit=2&cursor={page.Text("nextCursor")}");
        var rest = await second.ShouldBeAsync(HttpStatusCode.OK);
        using var theirs = await fixture.Client.SendAsync(other, HttpMethod.Get, "/api/orders");

        await peek.ShouldBeProblemAsync(HttpStatusCode.NotFound, "order_not_found");
        var listed = page.GetProperty("items").EnumerateArray().Concat(rest.GetProperty("items").EnumerateArray()).Select(o => o.GetProperty("id").GetGuid()).ToList();
        listed.Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        rest.GetProperty("nextCursor").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        (await theirs.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("items").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_receipt_waits_for_payment()
    {
        var e = await fixture.PublishAsync();
        var fan = await fixture.Personas.FanAsync();
        var hold = await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-3-9" } });
        var order = await fixture.CheckedOutAsync(fan, e.EventId, hold);

        using var receipt = await fixture.Client.SendAsync(fan, HttpMethod.Get, $"/api/orders/{order.GetProperty("id").GetGuid()}/receipt");

        await receipt.ShouldBeProblemAsync(HttpStatusCode.Conflict, "receipt_not_available");
    }
}
