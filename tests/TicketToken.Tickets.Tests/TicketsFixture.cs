using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Identity;

namespace TicketToken.Tickets.Tests;

/// <summary>
/// Identity and tickets on a real host and a fresh database, plus a capture of the <c>tickets.*</c> events. Catalog's
/// events are published through the real pub/sub, and tickets are issued through the actor, as orders will.
/// </summary>
public class TicketsFixture : ModuleHostFixture
{
    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new TicketsModule(), new EventCaptureModule(TicketsIssued.Topic, TicketsRevoked.Topic, TicketsExpired.Topic, TicketChanged.Topic, TicketTransferred.Topic)];

    protected override string PublisherAppId => TicketsModule.Id;

    /// <summary>The issuer of one order, as the orders module reaches it.</summary>
    public ITicketIssuerActor Issuer(Guid orderId) =>
        Actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);

    /// <summary>Issues <paramref name="order"/> and, unless told otherwise, activates it as a confirmed order would.</summary>
    public async Task<IssuedTickets> IssueAsync(IssueTickets order, bool activate = true)
    {
        var issued = await Issuer(order.OrderId).IssueAsync(order);
        return activate ? await Issuer(order.OrderId).ActivateAsync(new ActivateTickets(order.OrderId)) : issued;
    }

    /// <summary>Publishes the announcement and waits until tickets has recorded it.</summary>
    public async Task<EventPublished> AnnounceAsync(EventPublished published)
    {
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long?>("select version from tickets.events where id = $1", published.EventId) >= published.Version,
            "tickets recorded the announcement");
        return published;
    }

    /// <summary>The entry-key actor of an event, as the scanning module reaches it.</summary>
    public IEventEntryKeysActor EntryKeys(Guid eventId) =>
        Actors.CreateActorProxy<IEventEntryKeysActor>(TicketsActors.EntryKeysId(eventId), TicketsActors.EntryKeys);

    /// <summary>The tickets.changed messages of one ticket received so far, by sequence.</summary>
    public List<TicketChanged> Changes(Guid ticketId) =>
        [.. Events.On(TicketChanged.Topic).Select(e => System.Text.Json.JsonSerializer.Deserialize<TicketChanged>(e, System.Text.Json.JsonSerializerOptions.Web)!).Where(c => c.TicketId == ticketId).OrderBy(c => c.Sequence)];

    /// <summary>Waits until tickets.changed with <paramref name="sequence"/> of the ticket arrived, and answers all of the ticket's so far.</summary>
    public async Task<List<TicketChanged>> ChangesUpToAsync(Guid ticketId, long sequence)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Changes(ticketId).Any(c => c.Sequence >= sequence)), $"tickets.changed #{sequence} of {ticketId} arrived");
        return Changes(ticketId);
    }

    public Task<string> StatusAsync(Guid ticketId) => Database.ScalarAsync<string>("select status from tickets.tickets where id = $1", ticketId);
}

/// <summary>Transfer policies set tight enough to test: a received ticket waits an hour, an owner starts at most three transfers a day.</summary>
public sealed class TransferPolicyFixture : TicketsFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Tickets:TransferCooldown"] = "01:00:00",
        ["TicketToken:Tickets:TransferDailyLimit"] = "3",
    };
}

/// <summary>Tickets that expire one second after their event ends.</summary>
public sealed class ShortGraceFixture : TicketsFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Tickets:ExpiryGrace"] = "00:00:01",
    };
}
