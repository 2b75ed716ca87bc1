using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>Issuing, activating and revoking through the actor, as the orders module does, checked in the database.</summary>
public sealed class IssuingTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    [Fact]
    public async Task Issuing_an_order_makes_one_issued_ticket_per_line_and_announces_them()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 2, standing: 1);

        var issued = await fixture.Issuer(order.OrderId).IssueAsync(order);

        issued.OrderId.Should().Be(order.OrderId);
        issued.Tickets.Select(t => (t.LineNumber, t.SeatId, t.Status)).Should().Equal(
            (1, order.Lines[0].SeatId, TicketStatuses.Issued), (2, order.Lines[1].SeatId, TicketStatuses.Issued), (3, null, TicketStatuses.Issued));
        (await CountAsync(order.OrderId)).Should().Be(3);
        var announced = await fixture.Events.WaitForAsync(TicketsIssued.Topic, e => e.GetProperty("orderId").GetGuid() == order.OrderId);
        announced.GetProperty("ownerId").GetGuid().Should().Be(order.OwnerId);
        announced.GetProperty("orderNumber").GetString().Should().Be(order.OrderNumber);
        var tickets = announced.GetProperty("tickets").EnumerateArray().ToList();
        tickets.Select(t => t.GetProperty("ticketId").GetGuid()).Should().Equal(issued.Tickets.Select(t => t.TicketId));
        tickets[0].GetProperty("seatId").GetString().Should().Be(order.Lines[0].SeatId);
        tickets[0].GetProperty("ticketTypeName").GetString().Should().Be("Front");
        tickets[0].GetProperty("faceValue").GetInt64().Should().Be(8_500);
        tickets[2].GetProperty("ticketTypeId").GetGuid().Should().Be(TestOrders.StandingType);
    }

    [Fact]
    public async Task Issuing_the_same_order_again_returns_the_same_tickets_and_adds_none()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 3);

        var first = await fixture.Issuer(order.OrderId).IssueAsync(order);
        var second = await fixture.Issuer(order.OrderId).IssueAsync(order);

        second.Should().BeEquivalentTo(first);
        (await CountAsync(order.OrderId)).Should().Be(3);
    }

    [Fact]
    public async Task Twenty_identical_issues_at_once_make_one_set_of_tickets()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 4, standing: 2);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => fixture.Issuer(order.OrderId).IssueAsync(order)));

        answers.SelectMany(a => a.Tickets.Select(t => t.TicketId)).Distinct().Should().HaveCount(6, "every caller heard of the same six tickets");
        (await CountAsync(order.OrderId)).Should().Be(6);
        (await fixture.Database.ScalarAsync<long>("select count(distinct line_number) from tickets.tickets where order_id = $1", order.OrderId)).Should().Be(6);
    }

    [Fact]
    public async Task A_repeated_issue_with_a_new_line_adds_only_that_line()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 2);
        var first = await fixture.Issuer(order.OrderId).IssueAsync(order with { Lines = [order.Lines[0]] });

        var both = await fixture.Issuer(order.OrderId).IssueAsync(order);

        both.Tickets.Should().HaveCount(2);
        both.Tickets[0].TicketId.Should().Be(first.Tickets[0].TicketId);
        (await CountAsync(order.OrderId)).Should().Be(2);
    }

    [Fact]
    public async Task A_request_the_issuer_must_not_act_on_fails_and_stores_nothing()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 2);
        IssueTickets[] bad =
        [
            order with { Lines = [] },
            order with { Lines = [order.Lines[0], order.Lines[0]] },
            order with { Lines = [order.Lines[0] with { FaceValue = -1 }] },
            order with { Lines = [order.Lines[0] with { Currency = "euro" }] },
            order with { OrderId = Guid.NewGuid() },
        ];

        foreach (var request in bad)
        {
            var issue = () => fixture.Issuer(order.OrderId).IssueAsync(request);

            await issue.Should().ThrowAsync<ActorMethodInvocationException>();
        }

        (await CountAsync(order.OrderId)).Should().Be(0);
    }

    [Fact]
    public async Task A_seat_never_has_two_live_tickets_even_across_orders()
    {
        var eventId = Guid.NewGuid();
        var first = TestOrders.Order(eventId, Guid.NewGuid(), seats: 1);
        var other = TestOrders.Order(eventId, Guid.NewGuid(), seats: 1);
        var second = other with { Lines = [other.Lines[0] with { SeatId = first.Lines[0].SeatId }] };
        await fixture.IssueAsync(first);

        var doubleSale = () => fixture.Issuer(second.OrderId).IssueAsync(second);

        await doubleSale.Should().ThrowAsync<ActorMethodInvocationException>("the database refuses a second live ticket for the seat");
        (await CountAsync(second.OrderId)).Should().Be(0);
        await fixture.Issuer(first.OrderId).RevokeAsync(new RevokeTickets(first.OrderId, null, RevokeTickets.Refunded));
        (await fixture.Issuer(second.OrderId).IssueAsync(second)).Tickets.Should().ContainSingle("a refunded seat can be sold again");
    }

    [Fact]
    public async Task Activating_moves_issued_tickets_to_active_once()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 2);
        await fixture.Issuer(order.OrderId).IssueAsync(order);

        var activated = await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));
        var stamped = await fixture.Database.ScalarAsync<DateTime>("select min(activated_at) from tickets.tickets where order_id = $1", order.OrderId);
        var again = await fixture.Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId));

        activated.Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Active);
        again.Should().BeEquivalentTo(activated);
        (await fixture.Database.ScalarAsync<DateTime>("select max(activated_at) from tickets.tickets where order_id = $1", order.OrderId))
            .Should().Be(stamped, "activating again changes nothing");
    }

    [Fact]
    public async Task Revoking_some_lines_then_repeating_it_changes_them_once_and_announces_it_once()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 3);
        await fixture.IssueAsync(order);
        var revoke = new RevokeTickets(order.OrderId, [1, 3], "fraud");

        var revoked = await fixture.Issuer(order.OrderId).RevokeAsync(revoke);
        var again = await fixture.Issuer(order.OrderId).RevokeAsync(revoke);

        revoked.Tickets.Select(t => t.Status).Should().Equal(TicketStatuses.Revoked, TicketStatuses.Active, TicketStatuses.Revoked);
        again.Should().BeEquivalentTo(revoked);
        var announced = await fixture.Events.WaitForAsync(TicketsRevoked.Topic, e => e.GetProperty("orderId").GetGuid() == order.OrderId);
        announced.GetProperty("reason").GetString().Should().Be("fraud");
        announced.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("lineNumber").GetInt32()).Should().Equal(1, 3);
        (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1 and status = 'revoked'", order.OrderId)).Should().Be(2);
    }

    [Fact]
    public async Task A_refund_of_every_line_marks_the_tickets_refunded_and_a_later_revocation_leaves_them_so()
    {
        var order = TestOrders.Order(Guid.NewGuid(), Guid.NewGuid(), seats: 1, standing: 1);
        await fixture.IssueAsync(order);

        var refunded = await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, null, RevokeTickets.Refunded));
        var revokedAfter = await fixture.Issuer(order.OrderId).RevokeAsync(new RevokeTickets(order.OrderId, null, "chargeback"));
        var read = await fixture.Issuer(order.OrderId).GetAsync();

        refunded.Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Refunded);
        revokedAfter.Should().BeEquivalentTo(refunded);
        read.Should().BeEquivalentTo(refunded);
    }

    [Fact]
    public async Task A_cancelled_event_cancels_its_issued_and_active_tickets_and_those_issued_after()
    {
        var e = TestOrders.Event(DateTimeOffset.UtcNow.AddDays(10));
        await fixture.AnnounceAsync(e);
        var active = await fixture.IssueAsync(TestOrders.Order(e.EventId, Guid.NewGuid()));
        var issued = await fixture.IssueAsync(TestOrders.Order(e.EventId, Guid.NewGuid()), activate: false);
        var refundedOrder = TestOrders.Order(e.EventId, Guid.NewGuid(), seats: 1);
        await fixture.IssueAsync(refundedOrder);
        await fixture.Issuer(refundedOrder.OrderId).RevokeAsync(new RevokeTickets(refundedOrder.OrderId, null, RevokeTickets.Refunded));

        await fixture.PublishAsync(EventCancelled.Topic, new EventCancelled(e.EventId, e.OrganizerId, "Storm", DateTimeOffset.UtcNow));

        await Eventually.AssertAsync(async () =>
            (await fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where event_id = $1 and status = 'cancelled'", e.EventId)).Should().Be(4));
        (await fixture.Issuer(refundedOrder.OrderId).GetAsync()).Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Refunded, "a refunded ticket stays refunded");
        active.Tickets.Concat(issued.Tickets).Should().HaveCount(4);
        var late = await fixture.IssueAsync(TestOrders.Order(e.EventId, Guid.NewGuid(), seats: 1));
        late.Tickets.Should().OnlyContain(t => t.Status == TicketStatuses.Cancelled, "tickets issued after the cancellation admit nobody either");
    }

    private Task<long> CountAsync(Guid orderId) => fixture.Database.ScalarAsync<long>("select count(*) from tickets.tickets where order_id = $1", orderId);
}
