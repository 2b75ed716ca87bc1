using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Tests;

/// <summary>Expiry after the event (here with a grace of one second) by a durable reminder, and what moves or removes it.</summary>
public sealed class ExpiryTests(ShortGraceFixture fixture) : IClassFixture<ShortGraceFixture>
{
    [Fact]
    public async Task Once_an_event_is_over_its_unused_tickets_expire_by_themselves()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = TestOrders.Event(DateTimeOffset.UtcNow.AddHours(-3), endsAt: DateTimeOffset.UtcNow.AddSeconds(1));
        var active = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 2))).Tickets;
        var unconfirmed = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 1), activate: false)).Tickets;
        var refundedOrder = TestOrders.Order(e.EventId, fan.UserId, seats: 1);
        await fixture.IssueAsync(refundedOrder);
        await fixture.Issuer(refundedOrder.OrderId).RevokeAsync(new RevokeTickets(refundedOrder.OrderId, null, RevokeTickets.Refunded));

        await fixture.AnnounceAsync(e);

        var expired = await fixture.Events.WaitForAsync(TicketsExpired.Topic, x => x.GetProperty("eventId").GetGuid() == e.EventId);
        expired.GetProperty("count").GetInt32().Should().Be(3, "the two active tickets and the unconfirmed one; the refunded one stays refunded");
        foreach (var ticket in active.Concat(unconfirmed))
        {
            (await fixture.StatusAsync(ticket.TicketId)).Should().Be(TicketStatuses.Expired);
        }

        (await fixture.Issuer(refundedOrder.OrderId).GetAsync()).Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Refunded);
        (await fixture.ChangesUpToAsync(active[0].TicketId, 3)).Select(c => c.Status).Should().Equal(TicketStatuses.Issued, TicketStatuses.Active, TicketStatuses.Expired);
        (await fixture.ChangesUpToAsync(unconfirmed[0].TicketId, 2)).Select(c => c.Status).Should().Equal(TicketStatuses.Issued, TicketStatuses.Expired);
        var past = await fixture.Client.GetOkAsync(fan, "/api/tickets?when=past&status=expired");
        past.Ids().Should().BeEquivalentTo(active.Concat(unconfirmed).Select(t => t.TicketId));
        (await fixture.Database.ScalarAsync<long>("select count(*) from runtime.actor_reminders where actor_type = 'EventTickets' and actor_id = $1", e.EventId.ToString("N")))
            .Should().Be(0, "the one-shot reminder is done");
    }

    [Fact]
    public async Task Announcing_again_moves_the_reminder_to_the_new_end_and_an_older_announcement_does_not_move_it_back()
    {
        var first = TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10));
        var moved = first with { StartsAt = first.StartsAt.AddDays(7), EndsAt = first.EndsAt.AddDays(7), Version = 2 };

        await EventTickets(first.EventId).PublishedAsync(first);
        var initially = await ReminderDueAsync(first.EventId);
        await EventTickets(first.EventId).PublishedAsync(moved);
        var afterMove = await ReminderDueAsync(first.EventId);
        await EventTickets(first.EventId).PublishedAsync(first);
        var afterStale = await ReminderDueAsync(first.EventId);

        initially.Should().BeCloseTo(first.EndsAt.AddSeconds(1), TimeSpan.FromSeconds(1), "the reminder is at the end plus the grace");
        afterMove.Should().BeCloseTo(moved.EndsAt.AddSeconds(1), TimeSpan.FromSeconds(1));
        afterStale.Should().BeCloseTo(moved.EndsAt.AddSeconds(1), TimeSpan.FromSeconds(1), "version 1 arrived late: the event still ends as version 2 says");
        (await fixture.Database.ScalarAsync<DateTime>("select ends_at from tickets.events where id = $1", first.EventId))
            .Should().BeCloseTo(moved.EndsAt.UtcDateTime, TimeSpan.FromMilliseconds(1), "the newest version is what is recorded");
    }

    [Fact]
    public async Task A_cancelled_event_has_no_expiry_left_to_run()
    {
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(3)));
        var ticket = (await fixture.IssueAsync(TestOrders.Order(e.EventId, Guid.NewGuid(), seats: 1))).Tickets[0];
        (await ReminderCountAsync(e.EventId)).Should().Be(1);

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(e.EventId, e.OrganizerId, "Venue flooded", DateTimeOffset.UtcNow));

        await Eventually.AssertAsync(async () => (await fixture.StatusAsync(ticket.TicketId)).Should().Be(TicketStatuses.Cancelled));
        (await ReminderCountAsync(e.EventId)).Should().Be(0);
        (await fixture.Database.ScalarAsync<string>("select status_reason from tickets.tickets where id = $1", ticket.TicketId)).Should().Be("event_cancelled");
    }

    private IEventTicketsActor EventTickets(Guid eventId) => fixture.Host.Services.GetRequiredService<IActorProxyFactory>().EventTicketsOf(eventId);

    private async Task<DateTimeOffset> ReminderDueAsync(Guid eventId) => new(await fixture.Database.ScalarAsync<DateTime>(
        "select due_at from runtime.actor_reminders where actor_type = 'EventTickets' and actor_id = $1 and name = 'expire'", eventId.ToString("N")));

    private Task<long> ReminderCountAsync(Guid eventId) =>
        fixture.Database.ScalarAsync<long>("select count(*) from runtime.actor_reminders where actor_type = 'EventTickets' and actor_id = $1", eventId.ToString("N"));
}
