using System.Net;

namespace TicketToken.Tickets.Tests;

/// <summary>DESIGN.md invariant 6: a ticket is its owner's; anyone else is answered as if it did not exist.</summary>
public sealed class OwnershipTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    private static readonly string[] TicketRoutes = ["/api/tickets/{0}", "/api/tickets/{0}/qr", "/api/tickets/{0}/qr?format=svg", "/api/tickets/{0}/offline"];

    [Fact]
    public async Task Another_fan_gets_404_on_every_route_of_a_ticket_and_never_sees_it_listed()
    {
        var owner = await fixture.Personas.FanAsync();
        var stranger = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(4)));
        var order = TestOrders.Order(e.EventId, owner.UserId, seats: 1);
        var ticketId = (await fixture.IssueAsync(order)).Tickets[0].TicketId;

        foreach (var route in TicketRoutes.Select(r => string.Format(System.Globalization.CultureInfo.InvariantCulture, r, ticketId)))
        {
            using var own = await fixture.Client.GetAsync(owner, route);
            using var foreign = await fixture.Client.GetAsync(stranger, route);

            own.StatusCode.Should().Be(HttpStatusCode.OK, route);
            var problem = await foreign.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
            problem.Body.GetRawText().Should().NotContain(order.OrderNumber).And.NotContain(order.Lines[0].SeatId!).And.NotContain("active");
        }

        (await fixture.Client.GetOkAsync(stranger, "/api/tickets")).Ids().Should().BeEmpty();
        (await fixture.Client.GetOkAsync(stranger, $"/api/tickets?eventId={e.EventId}")).Ids().Should().BeEmpty();
        using var unknown = await fixture.Client.GetAsync(owner, $"/api/tickets/{Guid.NewGuid()}");
        var unknownProblem = await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "ticket_not_found");
        unknownProblem.Title.Should().Be((await ProblemOfStrangerAsync()).Title, "someone else's ticket reads exactly like no ticket");

        async Task<Problem> ProblemOfStrangerAsync()
        {
            using var response = await fixture.Client.GetAsync(stranger, $"/api/tickets/{ticketId}");
            return await Problem.ReadAsync(response);
        }
    }

    [Fact]
    public async Task Without_a_token_every_tickets_route_is_401()
    {
        var owner = await fixture.Personas.FanAsync();
        var ticketId = (await fixture.IssueAsync(TestOrders.Order(Guid.NewGuid(), owner.UserId, seats: 1))).Tickets[0].TicketId;

        foreach (var route in TicketRoutes.Select(r => string.Format(System.Globalization.CultureInfo.InvariantCulture, r, ticketId)).Append("/api/tickets"))
        {
            using var response = await fixture.Client.GetAsync(new Uri(route, UriKind.Relative));

            await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }
}
