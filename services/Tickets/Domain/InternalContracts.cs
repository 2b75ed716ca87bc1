using TicketToken.BuildingBlocks.Actors;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Tickets.Domain;

// Actors only this module calls; other modules issue, activate and revoke through ITicketIssuerActor (in Contracts).

/// <summary>One event's tickets as a whole: what fans see of the event, its cancellation, and expiry after it.</summary>
public interface IEventTicketsActor : IActor
{
    /// <summary>Records the announced event (the newest version wins) and sets the expiry reminder to its end plus the grace.</summary>
    Task PublishedAsync(EventPublished published);

    /// <summary>Cancels the event's issued and active tickets, and any issued later.</summary>
    Task CancelledAsync(EventCancelled cancelled);
}

/// <summary>The tickets actors by what they are for, so the id scheme and the type name are written once.</summary>
internal static class TicketsProxies
{
    public const string EventTickets = "EventTickets";

    public static IEventTicketsActor EventTicketsOf(this IActorProxyFactory actors, Guid eventId) =>
        actors.CreateActorProxy<IEventTicketsActor>(new ActorId(eventId.ToString("N")), EventTickets);
}
