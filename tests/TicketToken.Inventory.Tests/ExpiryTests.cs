using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Inventory;
using TicketToken.Testing;

namespace TicketToken.Inventory.Tests;

/// <summary>Holds of two seconds on the fixture's clock: expiry is enforced whether or not anybody asks.</summary>
public sealed class ExpiryTests(ShortHoldsFixture fixture) : IClassFixture<ShortHoldsFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task An_expired_hold_is_never_shown_as_held_and_its_seats_come_back_by_themselves()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-1-1", "A1-1-2" } });
        var holdId = hold.GetProperty("holdId").GetGuid();
        var expiresAt = hold.GetProperty("expiresAt").GetDateTimeOffset();

        fixture.Clock.Advance(expiresAt - fixture.Clock.GetUtcNow() + TimeSpan.FromMilliseconds(50));
        var statuses = await Client.SeatStatusesAsync(e.EventId);
        using var read = await Client.SendAsync(fan.Request(HttpMethod.Get, $"/api/inventory/events/{e.EventId}/holds/{holdId}"));

        statuses["A1-1-1"].Should().Be("available", "a seat is never shown held past its hold's expiry, reminder or not");
        read.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var released = await fixture.Events.WaitForAsync(SeatsReleased.Topic, r => r.GetProperty("holdId").GetGuid() == holdId);
        released.GetProperty("reason").GetString().Should().Be("expired", "the expiry reminder released the seats without anyone asking");
        released.GetProperty("seats").EnumerateArray().Select(s => s.GetString()).Should().BeEquivalentTo(["A1-1-1", "A1-1-2"]);
    }

    [Fact]
    public async Task One_reminder_per_section_releases_each_hold_at_its_own_expiry_even_after_an_extension()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var first = (await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-2-1" } })).GetProperty("holdId").GetGuid();
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(200));
        var second = (await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-2-2" } })).GetProperty("holdId").GetGuid();
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(600)); // the first hold, extended now, expires 0.6 s after the second
        using var extend = await Client.SendAsync(fan.Request(HttpMethod.Post, $"/api/inventory/events/{e.EventId}/holds/{first}/extend"));
        var extendedUntil = (await extend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset();

        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1_500)); // past the second hold's expiry, before the extended first's
        var releasedSecond = await fixture.Events.WaitForAsync(SeatsReleased.Topic, r => r.GetProperty("holdId").GetGuid() == second);
        var firstStillHeld = (await Client.SeatStatusesAsync(e.EventId))["A1-2-1"];
        var readAt = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var releasedFirst = await fixture.Events.WaitForAsync(SeatsReleased.Topic, r => r.GetProperty("holdId").GetGuid() == first);

        extend.StatusCode.Should().Be(HttpStatusCode.OK);
        releasedSecond.GetProperty("reason").GetString().Should().Be("expired");
        readAt.Should().BeBefore(extendedUntil);
        firstStillHeld.Should().Be("held", "the extended hold outlives the one taken after it");

        releasedFirst.GetProperty("releasedAt").GetDateTimeOffset().Should().BeOnOrAfter(extendedUntil, "the reminder re-armed for the extended expiry, not the old one");
        (await fixture.Database.ScalarAsync<long>("select count(*) from runtime.actor_reminders where actor_type = $1 and actor_id = $2 and name like 'expir%'",
            InventoryActors.Section, InventoryActors.SectionId(e.EventId, "A1").Id)).Should().Be(0, "every hold of the section has expired: no expiry reminder is left");
    }

    [Fact]
    public async Task A_hold_that_expires_after_the_earliest_one_writes_no_reminder()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "B1-1-1" } });
        await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "B1-1-5" } });
        await Client.HeldAsync(fan, e.EventId, new { best = new { quantity = 2, section = "B1" } });

        (await fixture.Database.ScalarAsync<long>("select count(*) from runtime.actor_reminders where actor_type = $1 and actor_id = $2 and name like 'expir%'",
            InventoryActors.Section, InventoryActors.SectionId(e.EventId, "B1").Id)).Should().Be(1, "only the first hold, the earliest to expire, armed the reminder");
    }

    [Fact]
    public async Task The_expiry_reminder_clears_the_seats_from_the_stored_state()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "B1-3-3" } });
        var holdId = hold.GetProperty("holdId").GetGuid();
        fixture.Clock.Advance(TimeSpan.FromSeconds(2.1));

        await Eventually.TrueAsync(async () => !(await StoredRowAsync(e.EventId, "B1", 2)).Contains(holdId.ToString(), StringComparison.Ordinal),
            "the reminder rewrote row 3 of B1 without the expired claim", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Extending_a_hold_keeps_it_alive_but_never_past_its_maximum_lifetime()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-2-1" } });
        var path = $"/api/inventory/events/{e.EventId}/holds/{hold.GetProperty("holdId").GetGuid()}";
        var created = fixture.Clock.GetUtcNow();

        var extensions = new List<DateTimeOffset>();
        for (var i = 0; i < 8; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromMilliseconds(700));
            using var extended = await Client.SendAsync(fan.Request(HttpMethod.Post, path + "/extend"));
            if (extended.StatusCode != HttpStatusCode.OK)
            {
                break;
            }

            extensions.Add((await extended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("expiresAt").GetDateTimeOffset());
            if (i == 3)
            {
                (await Client.SeatStatusesAsync(e.EventId))["A1-2-1"].Should().Be("held", "an extended hold outlives its first two seconds");
            }
        }

        extensions.Should().HaveCount(7, "extensions at 0.7 s steps keep it alive until the five seconds are up");
        extensions.Max().Should().BeCloseTo(created.AddSeconds(5), TimeSpan.FromMilliseconds(1), "the maximum lifetime is five seconds, however often the hold is extended");
        fixture.Clock.GetUtcNow().Should().BeAfter(extensions.Max(), "the eighth extension came after the hold's end");
        (await Client.SeatStatusesAsync(e.EventId))["A1-2-1"].Should().Be("available");
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_after_expiry_is_a_new_hold_not_the_dead_one()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        using var first = await Client.HoldAsync(fan, e.EventId, new { seats = new[] { "B1-5-5" } }, idempotencyKey: "slow-network");
        fixture.Clock.Advance(TimeSpan.FromSeconds(2.3));

        using var retried = await Client.HoldAsync(fan, e.EventId, new { seats = new[] { "B1-5-5" } }, idempotencyKey: "slow-network");
        var hold = await retried.Content.ReadFromJsonAsync<JsonElement>();

        retried.StatusCode.Should().Be(HttpStatusCode.Created);
        hold.GetProperty("expiresAt").GetDateTimeOffset().Should().BeAfter(fixture.Clock.GetUtcNow(), "the answer is a live hold");
        (await Client.SeatStatusesAsync(e.EventId))["B1-5-5"].Should().Be("held");
    }

    [Fact]
    public async Task An_expired_hold_cannot_be_committed()
    {
        var e = await fixture.PublishAsync(TestEvents.Reserved());
        var fan = await fixture.Personas.FanAsync();
        var hold = await Client.HeldAsync(fan, e.EventId, new { seats = new[] { "A1-3-3" } });
        fixture.Clock.Advance(TimeSpan.FromSeconds(2.2));

        var outcome = await fixture.Host.Services.GetRequiredService<IActorProxyFactory>()
            .CreateActorProxy<IBuyerHoldsActor>(InventoryActors.BuyerId(e.EventId, fan.UserId), InventoryActors.BuyerHolds)
            .CommitHoldAsync(new CommitHold(hold.GetProperty("holdId").GetGuid(), Guid.NewGuid()));

        outcome.Failure.Should().Be(HoldFailures.HoldExpired);
        (await Client.SeatStatusesAsync(e.EventId))["A1-3-3"].Should().Be("available");
    }

    private async Task<string> StoredRowAsync(Guid eventId, string section, int row)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select convert_from(value, 'UTF8') from runtime.actor_state where actor_type = $1 and actor_id = $2 and key = $3", connection);
        command.Parameters.AddWithValue(InventoryActors.Section);
        command.Parameters.AddWithValue(InventoryActors.SectionId(eventId, section).Id);
        command.Parameters.AddWithValue($"holds:{row}");
        return (string?)await command.ExecuteScalarAsync() ?? "";
    }
}
