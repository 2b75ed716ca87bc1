using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

// The lifecycle: publishing, opening sales, completing and cancelling, each on the event locked for the change.
public static partial class EventsApi
{
    private static async Task<Ok<EventResponse>> PublishEvent(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await LockAdministeredAsync(db, caller, eventId, cancellationToken);
        var status = EventLifecycle.Publish(@event.Status);
        var now = time.GetUtcNow();
        var ticketTypes = await db.TicketTypes.AsNoTracking().Where(t => t.EventId == eventId)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        if (ticketTypes.Count == 0)
        {
            throw CatalogProblems.NoTicketTypes();
        }

        if (@event.SalesEndAt <= now)
        {
            throw CatalogProblems.SalesWindowClosed();
        }

        var venue = await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken);
        var layout = await LayoutAsync(db, @event, cancellationToken);
        CheckSellable(layout, ticketTypes, venue);

        @event.Status = status;
        @event.PublishedAt ??= now;
        @event.Version++;
        @event.UpdatedAt = now;
        db.Publish(EventPublished.Topic, Announcement(@event, venue, layout, ticketTypes, change: null));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(@event, venue));
    }

    private static Task<Ok<EventResponse>> OpenSales(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, _) => @event.Status = EventLifecycle.OpenSales(@event.Status), cancellationToken);

    private static Task<Ok<EventResponse>> CompleteEvent(Guid eventId, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, now) =>
        {
            var status = EventLifecycle.Complete(@event.Status);
            @event.Status = now >= @event.StartsAt ? status : throw CatalogProblems.EventNotStarted();
        }, cancellationToken);

    private static Task<Ok<EventResponse>> CancelEvent(Guid eventId, CancelEventRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        TransitionAsync(db, caller, eventId, time, (@event, now) =>
        {
            @event.Status = EventLifecycle.Cancel(@event.Status);
            @event.CancelledAt = now;
            @event.CancellationReason = request.Reason.Trim();
            // Only an announced event has anything downstream (inventory, holds, tickets) to withdraw.
            if (@event.PublishedAt is not null)
            {
                db.Publish(EventCancelled.Topic, new EventCancelled(@event.Id, @event.OrganizerId, @event.CancellationReason, now, request.FeePolicy ?? EventCancelled.RefundFees));
            }
        }, cancellationToken);

    private static async Task<Ok<EventResponse>> TransitionAsync(CatalogDbContext db, Caller caller, Guid eventId, TimeProvider time,
        Action<Event, DateTimeOffset> transition, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await LockAdministeredAsync(db, caller, eventId, cancellationToken);
        var now = time.GetUtcNow();
        transition(@event, now);
        @event.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(@event, await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken)));
    }

    /// <summary>
    /// The event, tracked and locked until the transaction ends (publishing, transitions and ticket type changes of one
    /// event take turns), if the caller administers its organizer; otherwise 404.
    /// </summary>
    internal static async Task<Event> LockAdministeredAsync(CatalogDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var locked = await db.Events.FromSql($"select * from catalog.events where id = {eventId} for update").ToListAsync(cancellationToken);
        return locked is [var @event] && caller.Administers(@event.OrganizerId) ? @event : throw CatalogProblems.EventNotFound();
    }
}
