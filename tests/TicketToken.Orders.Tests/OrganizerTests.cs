using System.Net;
using TicketToken.Orders.Domain;
using TicketToken.Testing.Identity;

namespace TicketToken.Orders.Tests;

/// <summary>What organizers and platform admins set: fee schedules and promo codes, each only for their own organizer.</summary>
public sealed class OrganizerTests(OrdersFixture fixture) : IClassFixture<OrdersFixture>
{
    [Fact]
    public async Task Fees_are_the_defaults_until_a_platform_admin_sets_them_and_checkout_uses_them()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var platform = await fixture.Personas.PlatformAdminAsync();
        var fees = new { serviceBasisPoints = 500, perTicketMinor = 0, processingBasisPoints = 0, processingFixedMinor = 0 };

        using var before = await fixture.Client.SendAsync(admin, HttpMethod.Get, $"/api/orders/organizers/{organizerId}/fees");
        using var byOrganizer = await fixture.Client.SendAsync(admin, HttpMethod.Put, $"/api/orders/organizers/{organizerId}/fees", fees);
        using var byPlatform = await fixture.Client.SendAsync(platform, HttpMethod.Put, $"/api/orders/organizers/{organizerId}/fees", fees);
        var e = await fixture.PublishAsync(organizerId, country: "US");
        var fan = await fixture.Personas.FanAsync();
        var order = await fixture.CheckedOutAsync(fan, e.EventId, await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-1" } }));

        (await before.ShouldBeAsync(HttpStatusCode.OK)).GetProperty("default").GetBoolean().Should().BeTrue();
        await byOrganizer.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await byPlatform.ShouldBeAsync(HttpStatusCode.OK);
        var amounts = order.GetProperty("amounts");
        amounts.GetProperty("fees").GetInt64().Should().Be(425, "5 % of 85.00 and nothing else");
        amounts.GetProperty("tax").GetInt64().Should().Be(0, "no rate is configured for US venues here");
        amounts.GetProperty("total").GetInt64().Should().Be(8_925);
    }

    [Fact]
    public async Task A_promo_code_takes_its_share_off_until_its_uses_run_out()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var e = await fixture.PublishAsync(organizerId);
        using var created = await fixture.Client.SendAsync(admin, HttpMethod.Post, $"/api/orders/organizers/{organizerId}/promo-codes",
            new { code = "friends", eventId = e.EventId, percentBasisPoints = 2_000, maxUses = 1 });
        await created.ShouldBeAsync(HttpStatusCode.Created);
        var fan = await fixture.Personas.FanAsync();

        var discounted = await fixture.CheckedOutAsync(fan, e.EventId, await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-4" } }), "FRIENDS");
        using var exhausted = await fixture.CheckoutAsync(fan, e.EventId, await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-5" } }),
            Guid.NewGuid().ToString(), "friends");
        using var unknown = await fixture.CheckoutAsync(fan, e.EventId, await fixture.HoldAsync(fan, e.EventId, new { seats = new[] { "A1-1-6" } }),
            Guid.NewGuid().ToString(), "NOPE");

        discounted.GetProperty("amounts").GetProperty("discount").GetInt64().Should().Be(1_700, "20 % of 85.00");
        var expected = Pricing.Price([8_500], new Fees(1_000, 100, 290, 30), new Discount(2_000, null), 1_900);
        discounted.GetProperty("amounts").GetProperty("total").GetInt64().Should().Be(expected.Total);
        await exhausted.ShouldBeProblemAsync(HttpStatusCode.Conflict, "promo_code_exhausted");
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "promo_code_not_found");
        (await fixture.Database.ScalarAsync<int>("select uses from orders.promo_codes where organizer_id = $1 and code = 'FRIENDS'", organizerId)).Should().Be(1);
    }

    [Fact]
    public async Task Promo_codes_are_invalid_or_hidden_as_they_should_be()
    {
        var (admin, organizerId) = await fixture.Personas.OrganizerAdminAsync();
        var (otherAdmin, _) = await fixture.Personas.OrganizerAdminAsync("Other Live");
        var path = $"/api/orders/organizers/{organizerId}/promo-codes";

        using var both = await fixture.Client.SendAsync(admin, HttpMethod.Post, path, new { code = "BOTH", percentBasisPoints = 100, amountOffMinor = 100, currency = "EUR" });
        using var noCurrency = await fixture.Client.SendAsync(admin, HttpMethod.Post, path, new { code = "FIVE", amountOffMinor = 500 });
        using var badCode = await fixture.Client.SendAsync(admin, HttpMethod.Post, path, new { code = "no spaces", percentBasisPoints = 100 });
        using var first = await fixture.Client.SendAsync(admin, HttpMethod.Post, path, new { code = "TWICE", percentBasisPoints = 100 });
        using var twice = await fixture.Client.SendAsync(admin, HttpMethod.Post, path, new { code = "twice", percentBasisPoints = 200 });
        using var foreign = await fixture.Client.SendAsync(otherAdmin, HttpMethod.Get, path);
        using var mine = await fixture.Client.SendAsync(admin, HttpMethod.Get, path);

        await both.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_promo_code");
        await noCurrency.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_promo_code");
        (await badCode.ShouldBeAsync(HttpStatusCode.BadRequest)).ValueKind.Should().Be(System.Text.Json.JsonValueKind.Object);
        await first.ShouldBeAsync(HttpStatusCode.Created);
        await twice.ShouldBeProblemAsync(HttpStatusCode.Conflict, "promo_code_exists");
        await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "organizer_not_found");
        (await mine.ShouldBeAsync(HttpStatusCode.OK)).EnumerateArray().Select(p => p.Text("code")).Should().Equal("TWICE");
    }
}
