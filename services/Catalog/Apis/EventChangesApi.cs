using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

/// <summary>
/// Changes of a published event (docs/adr/0026): moved to another time, venue details shown to fans, more capacity or
/// ticket types, prices of what is not sold yet. Each change names the version it was decided on
/// (<c>expectedVersion</c>; a stale one is 409 <c>event_version_conflict</c>), makes the next version, is kept in the
/// event's history and is announced as that version on <c>event.published</c>, with what changed.
/// </summary>
public static class EventChangesApi
{
    public static RouteGroupBuilder MapEventChangesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events/{eventId:guid}/changes").WithTags("Event changes").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapGet("/", ListChanges).WithName("ListEventChanges")
            .WithSummary("The changes made to the event since it was published, oldest first, each with the version it made and who made it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/reschedule", Reschedule).WithName("RescheduleEvent")
            .WithSummary("Moves a published event to a new time; holders are told, and may have orders bought before the change refunded for refundWindowDays.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/venue-details", ChangeVenueDetails).WithName("ChangeEventVenueDetails")
            .WithSummary("Changes what fans are shown of the venue for this event (name, address, doors time); holders are told. The seat map stays.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/capacity", ChangeCapacity).WithName("ChangeEventCapacity")
            .WithSummary("Adds ticket types or changes general-admission capacities; a capacity below what is sold and held is refused (422).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/prices", ChangePrices).WithName("ChangeEventPrices")
            .WithSummary("Changes ticket types' prices for what is not sold yet: holds made and orders placed before keep their prices.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public sealed record RescheduleRequest(
        [property: Required] long? ExpectedVersion,
        [property: Required] DateTimeOffset? StartsAt,
        [property: Required] DateTimeOffset? EndsAt,
        DateTimeOffset? SalesEndAt,
        [property: Required, Range(0, MaxRefundWindowDays)] int? RefundWindowDays,
        [property: Required, StringLength(500, MinimumLength = 1)] string Reason);

    public sealed record VenueDetailsRequest(
        [property: Required] long? ExpectedVersion,
        [property: StringLength(200, MinimumLength = 2)] string? VenueName,
        [property: StringLength(500, MinimumLength = 2)] string? VenueAddress,
        DateTimeOffset? DoorsAt,
        [property: StringLength(500)] string? Reason);

    /// <summary>A general-admission type's new capacity.</summary>
    public sealed record CapacityChange([property: Required] Guid? TicketTypeId, [property: Required, Range(1, 1_000_000)] int? Capacity);

    public sealed record CapacityRequest(
        [property: Required] long? ExpectedVersion,
        [property: MaxLength(50)] IReadOnlyList<CapacityChange>? Capacities,
        [property: MaxLength(20)] IReadOnlyList<TicketTypesApi.CreateTicketTypeRequest>? Add,
        [property: StringLength(500)] string? Reason);

    public sealed record PriceChange([property: Required] Guid? TicketTypeId, [property: Required, Range(0d, 1e12)] long? PriceMinor);

    public sealed record PricesRequest(
        [property: Required] long? ExpectedVersion,
        [property: Required, MinLength(1), MaxLength(50)] IReadOnlyList<PriceChange> Prices,
        [property: StringLength(500)] string? Reason);

    /// <summary>One change: the version it made, its kind (<c>rescheduled</c>, <c>venue_details</c>, <c>capacity</c>, <c>prices</c>) and what changed.</summary>
    public sealed record EventChangeResponse(long Version, string Kind, string? Reason, JsonElement Details, Guid ChangedBy, DateTimeOffset ChangedAt);

    public const int MaxRefundWindowDays = 90;

    private static async Task<Ok<List<EventChangeResponse>>> ListChanges(Guid eventId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (@event is null || !caller.Administers(@event.OrganizerId))
        {
            throw CatalogProblems.EventNotFound();
        }

        var revisions = await db.EventRevisions.AsNoTracking().Where(r => r.EventId == eventId).OrderBy(r => r.Version).ToListAsync(cancellationToken);
        return TypedResults.Ok(revisions.Select(r => new EventChangeResponse(r.Version, r.Kind, r.Reason, JsonDocument.Parse(r.Details).RootElement.Clone(), r.ChangedBy, r.ChangedAt)).ToList());
    }

    private static Task<Ok<EventsApi.EventResponse>> Reschedule(Guid eventId, RescheduleRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        ChangeAsync(db, caller, eventId, request.ExpectedVersion!.Value, time, (change, _) =>
        {
            var @event = change.Event;
            var previousStart = @event.StartsAt;
            var startsAt = request.StartsAt!.Value.ToUniversalTime();
            if (startsAt == previousStart && request.EndsAt!.Value.ToUniversalTime() == @event.EndsAt)
            {
                throw CatalogProblems.InvalidChange("The event already takes place at this time.");
            }

            // Sales keep their distance to the start unless the organizer says when they end.
            @event.SalesEndAt = request.SalesEndAt?.ToUniversalTime() ?? @event.SalesEndAt + (startsAt - previousStart);
            @event.StartsAt = startsAt;
            @event.EndsAt = request.EndsAt!.Value.ToUniversalTime();
            if (@event.DoorsAt is { } doors)
            {
                @event.DoorsAt = doors + (startsAt - previousStart);
            }

            EventsApi.CheckTimes(@event, change.Now);
            var refundUntil = change.Now.AddDays(request.RefundWindowDays!.Value);
            return Task.FromResult<(EventChange, object)>((new EventChange(EventChange.Rescheduled, change.Now, request.Reason.Trim()) { PreviousStartsAt = previousStart, RefundUntil = refundUntil },
                new { previousStartsAt = previousStart, startsAt, endsAt = @event.EndsAt, salesEndAt = @event.SalesEndAt, refundUntil }));
        }, cancellationToken);

    private static Task<Ok<EventsApi.EventResponse>> ChangeVenueDetails(Guid eventId, VenueDetailsRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        ChangeAsync(db, caller, eventId, request.ExpectedVersion!.Value, time, (change, _) =>
        {
            if (request.VenueName is null && request.VenueAddress is null && request.DoorsAt is null)
            {
                throw CatalogProblems.InvalidChange("Name at least one of venueName, venueAddress, doorsAt.");
            }

            var @event = change.Event;
            @event.VenueName = request.VenueName?.Trim() ?? @event.VenueName;
            @event.VenueAddress = request.VenueAddress?.Trim() ?? @event.VenueAddress;
            if (request.DoorsAt is { } doors)
            {
                var doorsAt = doors.ToUniversalTime();
                if (doorsAt > @event.StartsAt || doorsAt < @event.StartsAt.AddHours(-12))
                {
                    throw CatalogProblems.InvalidChange("Doors open at most 12 hours before the event starts, and not after.");
                }

                @event.DoorsAt = doorsAt;
            }

            return Task.FromResult<(EventChange, object)>((new EventChange(EventChange.VenueDetails, change.Now, request.Reason?.Trim()),
                new { venueName = @event.VenueName ?? change.Venue.Name, venueAddress = EventsApi.AddressOf(@event, change.Venue), doorsAt = @event.DoorsAt }));
        }, cancellationToken);

    private static Task<Ok<EventsApi.EventResponse>> ChangeCapacity(Guid eventId, CapacityRequest request, Caller caller, CatalogDbContext db, TimeProvider time,
        [FromKeyedServices(CatalogModule.Id)] IServiceInvoker invoker, CancellationToken cancellationToken) =>
        ChangeAsync(db, caller, eventId, request.ExpectedVersion!.Value, time, async (change, ct) =>
        {
            var capacities = request.Capacities ?? [];
            var added = request.Add ?? [];
            if (capacities.Count == 0 && added.Count == 0)
            {
                throw CatalogProblems.InvalidChange("Name capacities to change or ticket types to add.");
            }

            if (capacities.GroupBy(c => c.TicketTypeId).Any(g => g.Count() > 1))
            {
                throw CatalogProblems.InvalidChange("Each ticket type at most once.");
            }

            var @event = change.Event;
            var zones = await TicketTypesApi.ZonesAsync(db, @event, ct);
            var taken = capacities.Count > 0 ? await TakenAsync(invoker, eventId, ct) : new Dictionary<Guid, int>();
            var changed = new List<object>();
            foreach (var wanted in capacities)
            {
                var ticketType = change.TicketTypes.SingleOrDefault(t => t.Id == wanted.TicketTypeId) ?? throw CatalogProblems.TicketTypeNotFound();
                if (ticketType.Kind != TicketTypeRules.GeneralAdmission)
                {
                    throw CatalogProblems.NotGeneralAdmission(ticketType.Name);
                }

                var capacity = wanted.Capacity!.Value;
                if (capacity < taken.GetValueOrDefault(ticketType.Id))
                {
                    throw CatalogProblems.CapacityBelowSold(ticketType.Name, capacity, taken[ticketType.Id]);
                }

                changed.Add(new { ticketTypeId = ticketType.Id, ticketType.Name, previousCapacity = ticketType.Capacity, capacity });
                ticketType.Capacity = capacity;
            }

            foreach (var (newType, i) in added.Select((t, i) => (t, i)))
            {
                TicketTypeRules.Check(newType.Kind, newType.PriceZone, newType.Capacity, zones, newType.AccessZone);
                // Against the types of this event as they stand, and those added before it in this request.
                if (change.TicketTypes.Any(t => string.Equals(t.Name, newType.Name.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    throw CatalogProblems.TicketTypeNameTaken(newType.Name.Trim());
                }

                if (newType.PriceZone is not null && change.TicketTypes.Any(t => t.PriceZone == newType.PriceZone))
                {
                    throw CatalogProblems.PriceZoneTaken(newType.PriceZone);
                }

                var ticketType = TicketTypesApi.NewTicketType(eventId, newType, change.Now.AddTicks(i * 10));
                db.TicketTypes.Add(ticketType);
                change.TicketTypes.Add(ticketType);
                changed.Add(new { ticketTypeId = ticketType.Id, ticketType.Name, added = true, ticketType.Kind, ticketType.Capacity, ticketType.PriceZone, ticketType.PriceMinor });
            }

            EventsApi.CheckSellable(change.Layout, change.TicketTypes, change.Venue);
            return (new EventChange(EventChange.Capacity, change.Now, request.Reason?.Trim()), new { ticketTypes = changed });
        }, cancellationToken);

    private static Task<Ok<EventsApi.EventResponse>> ChangePrices(Guid eventId, PricesRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken) =>
        ChangeAsync(db, caller, eventId, request.ExpectedVersion!.Value, time, (change, _) =>
        {
            if (request.Prices.GroupBy(c => c.TicketTypeId).Any(g => g.Count() > 1))
            {
                throw CatalogProblems.InvalidChange("Each ticket type at most once.");
            }

            var changed = new List<object>();
            foreach (var wanted in request.Prices)
            {
                var ticketType = change.TicketTypes.SingleOrDefault(t => t.Id == wanted.TicketTypeId) ?? throw CatalogProblems.TicketTypeNotFound();
                changed.Add(new { ticketTypeId = ticketType.Id, ticketType.Name, previousPriceMinor = ticketType.PriceMinor, priceMinor = wanted.PriceMinor!.Value });
                ticketType.PriceMinor = wanted.PriceMinor!.Value;
            }

            return Task.FromResult<(EventChange, object)>((new EventChange(EventChange.Prices, change.Now, request.Reason?.Trim()), new { ticketTypes = changed, currency = change.Event.Currency }));
        }, cancellationToken);

    /// <summary>What a change works on: the locked event, its venue, seat map and ticket types (tracked), and the time of the change.</summary>
    private sealed record ChangeContext(Event Event, Venue Venue, SeatMapLayout Layout, List<TicketType> TicketTypes, DateTimeOffset Now);

    /// <summary>
    /// The one path of every change: lock the event, check it may change and that the caller decided on its current
    /// version, apply, then record the revision and announce the new version in the same transaction (the outbox).
    /// </summary>
    private static async Task<Ok<EventsApi.EventResponse>> ChangeAsync(CatalogDbContext db, Caller caller, Guid eventId, long expectedVersion, TimeProvider time,
        Func<ChangeContext, CancellationToken, Task<(EventChange Change, object Details)>> apply, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await EventsApi.LockAdministeredAsync(db, caller, eventId, cancellationToken);
        if (@event.Status is not (EventStatus.Published or EventStatus.OnSale))
        {
            throw CatalogProblems.EventNotChangeable(@event.Status);
        }

        if (expectedVersion != @event.Version)
        {
            throw CatalogProblems.EventVersionConflict(expectedVersion, @event.Version);
        }

        var venue = await db.Venues.AsNoTracking().SingleAsync(v => v.Id == @event.VenueId, cancellationToken);
        var ticketTypes = await db.TicketTypes.Where(t => t.EventId == eventId).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        var layout = await EventsApi.LayoutAsync(db, @event, cancellationToken);
        var now = time.GetUtcNow();
        var (change, details) = await apply(new ChangeContext(@event, venue, layout, ticketTypes, now), cancellationToken);

        @event.Version++;
        @event.UpdatedAt = now;
        db.EventRevisions.Add(new EventRevision
        {
            EventId = eventId, Version = @event.Version, Kind = change.Kind, Reason = change.Reason, Details = JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
            ChangedBy = caller.RequiredUserId, ChangedAt = now,
        });
        db.Publish(EventPublished.Topic, EventsApi.Announcement(@event, venue, layout, ticketTypes, change));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(EventsApi.ToResponse(@event, venue));
    }

    private sealed record GeneralAdmissionCount(Guid TicketTypeId, int Held, int Sold);

    private sealed record Availability(IReadOnlyList<GeneralAdmissionCount> GeneralAdmission);

    /// <summary>
    /// Places sold or held per general-admission type, as inventory counts them now. A sale between this read and the
    /// new version reaching inventory can still take a place; inventory then sells nothing more (its remaining count
    /// is not positive) rather than take back what it sold.
    /// </summary>
    private static async Task<Dictionary<Guid, int>> TakenAsync(IServiceInvoker invoker, Guid eventId, CancellationToken cancellationToken)
    {
        try
        {
            var client = invoker.CreateHttpClient("inventory");
            using var response = await client.GetAsync($"api/inventory/events/{eventId}/availability", cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return []; // inventory has not made the event's actors yet: nothing is sold
            }

            response.EnsureSuccessStatusCode();
            var availability = await response.Content.ReadFromJsonAsync<Availability>(JsonSerializerOptions.Web, cancellationToken);
            return (availability?.GeneralAdmission ?? []).ToDictionary(g => g.TicketTypeId, g => g.Held + g.Sold);
        }
        catch (Exception ex) when (ex is HttpRequestException or ServiceInvocationException or JsonException)
        {
            throw CatalogProblems.InventoryUnavailable();
        }
    }
}
