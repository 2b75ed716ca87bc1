using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Tests;

/// <summary>Every (from, to) pair of ticket statuses against the table in docs/adr/0009-tickets.md, written out here on its own.</summary>
public sealed class TicketLifecycleTests
{
    private static readonly HashSet<(TicketStatus From, TicketStatus To)> Allowed =
    [
        (TicketStatus.Issued, TicketStatus.Active),
        (TicketStatus.Issued, TicketStatus.Revoked),
        (TicketStatus.Issued, TicketStatus.Refunded),
        (TicketStatus.Issued, TicketStatus.Cancelled),
        (TicketStatus.Issued, TicketStatus.Expired),
        (TicketStatus.Active, TicketStatus.CheckedIn),
        (TicketStatus.Active, TicketStatus.Transferred),
        (TicketStatus.Active, TicketStatus.Revoked),
        (TicketStatus.Active, TicketStatus.Refunded),
        (TicketStatus.Active, TicketStatus.Cancelled),
        (TicketStatus.Active, TicketStatus.Expired),
        (TicketStatus.CheckedIn, TicketStatus.Active),
        (TicketStatus.CheckedIn, TicketStatus.Revoked),
        (TicketStatus.CheckedIn, TicketStatus.Refunded),
        (TicketStatus.Cancelled, TicketStatus.Refunded),
    ];

    public static TheoryData<TicketStatus, TicketStatus> EveryPair()
    {
        var pairs = new TheoryData<TicketStatus, TicketStatus>();
        foreach (var from in Enum.GetValues<TicketStatus>())
        {
            foreach (var to in Enum.GetValues<TicketStatus>())
            {
                pairs.Add(from, to);
            }
        }

        return pairs;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void A_ticket_moves_exactly_where_the_table_allows(TicketStatus from, TicketStatus to)
    {
        var ticket = TicketIn(from);
        var at = DateTimeOffset.UtcNow.AddMinutes(5);
        var change = () => TicketLifecycle.Change(ticket, to, at, "test");

        if (Allowed.Contains((from, to)))
        {
            change();
            (ticket.Status, ticket.StatusChangedAt, ticket.StatusReason).Should().Be((to, at, "test"));
            TicketLifecycle.CanChange(from, to).Should().BeTrue();
        }
        else
        {
            change.Should().Throw<InvalidOperationException>();
            (ticket.Status, ticket.StatusChangedAt).Should().Be((from, default(DateTimeOffset)), "a refused move changes nothing");
            TicketLifecycle.CanChange(from, to).Should().BeFalse();
        }
    }

    [Fact]
    public void Expiry_and_cancellation_of_an_event_take_its_issued_and_active_tickets_only()
    {
        TicketLifecycle.Sources(TicketStatus.Expired).Should().BeEquivalentTo([TicketStatus.Issued, TicketStatus.Active]);
        TicketLifecycle.Sources(TicketStatus.Cancelled).Should().BeEquivalentTo([TicketStatus.Issued, TicketStatus.Active]);
    }

    [Fact]
    public void Activation_is_stamped_once_and_re_entry_keeps_the_first_stamp()
    {
        var ticket = TicketIn(TicketStatus.Issued);
        var first = DateTimeOffset.UtcNow;

        TicketLifecycle.Change(ticket, TicketStatus.Active, first);
        TicketLifecycle.Change(ticket, TicketStatus.CheckedIn, first.AddHours(1));
        TicketLifecycle.Change(ticket, TicketStatus.Active, first.AddHours(2));

        ticket.ActivatedAt.Should().Be(first);
    }

    [Fact]
    public void Every_status_has_the_name_of_the_contract_and_back()
    {
        foreach (var status in Enum.GetValues<TicketStatus>())
        {
            TicketLifecycle.Parse(TicketLifecycle.Name(status)).Should().Be(status);
        }

        TicketLifecycle.Name(TicketStatus.CheckedIn).Should().Be(Contracts.Tickets.TicketStatuses.CheckedIn);
    }

    private static Ticket TicketIn(TicketStatus status)
    {
        var ticket = new Ticket { TicketTypeName = "Front", Currency = "EUR" };
        TicketStatus[] path = status switch
        {
            TicketStatus.Issued => [],
            TicketStatus.Active => [TicketStatus.Active],
            _ => [TicketStatus.Active, status],
        };
        foreach (var step in path)
        {
            TicketLifecycle.Change(ticket, step, default);
        }

        return ticket;
    }
}
