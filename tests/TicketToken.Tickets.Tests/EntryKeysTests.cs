using System.Buffers.Text;
using TicketToken.Contracts.Tickets;

namespace TicketToken.Tickets.Tests;

/// <summary>The event entry key as scanning asks for it: the key every ticket secret of the event derives from, and the code step.</summary>
public sealed class EntryKeysTests(TicketsFixture fixture) : IClassFixture<TicketsFixture>
{
    [Fact]
    public async Task The_entry_key_derives_the_secrets_fans_make_codes_with()
    {
        var fan = await fixture.Personas.FanAsync();
        var e = await fixture.AnnounceAsync(TestOrders.Event(DateTimeOffset.UtcNow.AddDays(2)));
        var tickets = (await fixture.IssueAsync(TestOrders.Order(e.EventId, fan.UserId, seats: 2))).Tickets;

        var key = await fixture.EntryKeys(e.EventId).GetAsync();

        key.Should().NotBeNull();
        key!.EventId.Should().Be(e.EventId);
        key.Key.Should().HaveCount(TicketCode.EventKeySize);
        key.StepSeconds.Should().Be(TicketCode.DefaultStepSeconds);
        foreach (var ticket in tickets)
        {
            var offline = await fixture.Client.GetOkAsync(fan, $"/api/tickets/{ticket.TicketId}/offline");
            TicketCode.DeriveSecret(key.Key, ticket.TicketId, 1).Should().Equal(Base64Url.DecodeFromChars(offline.Text("secret")));
        }
    }

    [Fact]
    public async Task An_event_tickets_has_never_heard_of_has_no_key()
    {
        (await fixture.EntryKeys(Guid.NewGuid()).GetAsync()).Should().BeNull();
    }
}
