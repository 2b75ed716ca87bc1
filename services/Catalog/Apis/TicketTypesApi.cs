using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;
using TicketToken.Contracts.Catalog;

namespace TicketToken.Catalog.Apis;

/// <summary>
/// What an event sells: reserved seats of a price zone, or general admission up to a capacity, at a price in minor
/// units of the event's currency. Changed only while the event is a draft; readable by whoever may see the event.
/// </summary>
public static class TicketTypesApi
{
    public static RouteGroupBuilder MapTicketTypesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events/{eventId:guid}/ticket-types").WithTags("Ticket types");
        group.MapPost("/", CreateTicketType).RequireAuthorization(Policies.OrganizerAdmin).WithName("CreateTicketType")
            .WithSummary("Adds a ticket type to a draft event: reserved seating of a price zone of its seat map, or general admission with a capacity.")
            .WithJsonRequestExamples(CatalogExamples.ReservedTicketType, CatalogExamples.GeneralAdmissionTicketType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        // Anonymous by design: prices of announced events are public; a draft's are answered 404 to all but its organizer's staff.
        group.MapGet("/", ListTicketTypes).AllowAnonymous().WithName("ListTicketTypes").WithSummary("Lists an event's ticket types and prices.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Anonymous by design, as the list.
        group.MapGet("/{ticketTypeId:guid}", GetTicketType).AllowAnonymous().WithName("GetTicketType").WithSummary("Reads one of an event's ticket types.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{ticketTypeId:guid}", UpdateTicketType).RequireAuthorization(Policies.OrganizerAdmin).WithName("UpdateTicketType")
            .WithSummary("Changes a draft event's ticket type: name, price, access zone, price zone (reserved) or capacity (general admission).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{ticketTypeId:guid}", DeleteTicketType).RequireAuthorization(Policies.OrganizerAdmin).WithName("DeleteTicketType")
            .WithSummary("Removes a ticket type from a draft event.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public sealed record CreateTicketTypeRequest(
        [property: Required, StringLength(100, MinimumLength = 1)] string Name,
        [property: Required, AllowedValues(TicketTypeRules.Reserved, TicketTypeRules.GeneralAdmission)] string Kind,
        [property: StringLength(20)] string? PriceZone,
        [property: Range(1, 1_000_000)] int? Capacity,
        [property: Required, Range(0d, 1e12)] long? PriceMinor,
        [property: StringLength(20)] string? AccessZone = null);

    public sealed record UpdateTicketTypeRequest(
        [property: StringLength(100, MinimumLength = 1)] string? Name,
        [property: StringLength(20)] string? PriceZone,
        [property: Range(1, 1_000_000)] int? Capacity,
        [property: Range(0d, 1e12)] long? PriceMinor,
        [property: StringLength(20)] string? AccessZone = null);

    /// <summary>
    /// A ticket type; <see cref="PriceMinor"/> is in minor units of <see cref="Currency"/> (cents for EUR). <see cref="AccessZone"/> is where its
    /// tickets enter: <c>GA</c>, <c>VIP</c> or <c>BACKSTAGE</c>, each including the ones before it.
    /// </summary>
    public sealed record TicketTypeResponse(Guid Id, Guid EventId, string Name, string Kind, string? PriceZone, int? Capacity, long PriceMinor, string Currency, string AccessZone);

    private static async Task<Created<TicketTypeResponse>> CreateTicketType(Guid eventId, CreateTicketTypeRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await DraftAsync(db, caller, eventId, cancellationToken);
        TicketTypeRules.Check(request.Kind, request.PriceZone, request.Capacity, await ZonesAsync(db, @event, cancellationToken), request.AccessZone);
        await CheckUniqueAsync(db, eventId, null, request.Name.Trim(), request.PriceZone, cancellationToken);
        var ticketType = NewTicketType(eventId, request, time.GetUtcNow());
        db.TicketTypes.Add(ticketType);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/events/{eventId}/ticket-types/{ticketType.Id}", ToResponse(ticketType, @event));
    }

    private static async Task<Ok<List<TicketTypeResponse>>> ListTicketTypes(Guid eventId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var @event = await VisibleAsync(db, caller, eventId, cancellationToken);
        var ticketTypes = await db.TicketTypes.AsNoTracking().Where(t => t.EventId == eventId).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(ticketTypes.Select(t => ToResponse(t, @event)).ToList());
    }

    private static async Task<Ok<TicketTypeResponse>> GetTicketType(Guid eventId, Guid ticketTypeId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var @event = await VisibleAsync(db, caller, eventId, cancellationToken);
        var ticketType = await db.TicketTypes.AsNoTracking().SingleOrDefaultAsync(t => t.Id == ticketTypeId && t.EventId == eventId, cancellationToken)
            ?? throw CatalogProblems.TicketTypeNotFound();
        return TypedResults.Ok(ToResponse(ticketType, @event));
    }

    private static async Task<Ok<TicketTypeResponse>> UpdateTicketType(Guid eventId, Guid ticketTypeId, UpdateTicketTypeRequest request, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var @event = await DraftAsync(db, caller, eventId, cancellationToken);
        var ticketType = await db.TicketTypes.SingleOrDefaultAsync(t => t.Id == ticketTypeId && t.EventId == eventId, cancellationToken)
            ?? throw CatalogProblems.TicketTypeNotFound();
        var name = request.Name?.Trim() ?? ticketType.Name;
        var priceZone = request.PriceZone ?? ticketType.PriceZone;
        var capacity = request.Capacity ?? ticketType.Capacity;
        var accessZone = request.AccessZone ?? ticketType.AccessZone;
        TicketTypeRules.Check(ticketType.Kind, priceZone, capacity, await ZonesAsync(db, @event, cancellationToken), accessZone);
        await CheckUniqueAsync(db, eventId, ticketTypeId, name, priceZone, cancellationToken);
        ticketType.Name = name;
        ticketType.PriceZone = priceZone;
        ticketType.Capacity = capacity;
        ticketType.PriceMinor = request.PriceMinor ?? ticketType.PriceMinor;
        ticketType.AccessZone = accessZone;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(ticketType, @event));
    }

    private static async Task<NoContent> DeleteTicketType(Guid eventId, Guid ticketTypeId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await DraftAsync(db, caller, eventId, cancellationToken);
        var deleted = await db.TicketTypes.Where(t => t.Id == ticketTypeId && t.EventId == eventId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0 ? TypedResults.NoContent() : throw CatalogProblems.TicketTypeNotFound();
    }

    internal static TicketType NewTicketType(Guid eventId, CreateTicketTypeRequest request, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        EventId = eventId,
        Name = request.Name.Trim(),
        Kind = request.Kind,
        PriceZone = request.PriceZone,
        Capacity = request.Capacity,
        PriceMinor = request.PriceMinor!.Value,
        AccessZone = request.AccessZone ?? AccessZones.GeneralAdmission,
        CreatedAt = now,
    };

    /// <summary>The event, locked, if the caller administers it (else 404) and it is still a draft (else 409).</summary>
    private static async Task<Event> DraftAsync(CatalogDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var @event = await EventsApi.LockAdministeredAsync(db, caller, eventId, cancellationToken);
        return @event.Status == EventStatus.Draft ? @event : throw CatalogProblems.EventNotDraft();
    }

    private static async Task<Event> VisibleAsync(CatalogDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        return @event is not null && EventsApi.IsVisible(@event, caller) ? @event : throw CatalogProblems.EventNotFound();
    }

    internal static async Task<IReadOnlySet<string>?> ZonesAsync(CatalogDbContext db, Event @event, CancellationToken cancellationToken) =>
        @event.SeatMapId is { } seatMapId
            ? (await db.PriceZones.Where(z => z.SeatMapId == seatMapId).Select(z => z.Code).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal)
            : null;

    internal static async Task CheckUniqueAsync(CatalogDbContext db, Guid eventId, Guid? except, string name, string? priceZone, CancellationToken cancellationToken)
    {
        var others = await db.TicketTypes.AsNoTracking().Where(t => t.EventId == eventId && t.Id != except).Select(t => new { t.Name, t.PriceZone }).ToListAsync(cancellationToken);
        if (others.Any(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw CatalogProblems.TicketTypeNameTaken(name);
        }

        if (priceZone is not null && others.Any(t => t.PriceZone == priceZone))
        {
            throw CatalogProblems.PriceZoneTaken(priceZone);
        }
    }

    private static TicketTypeResponse ToResponse(TicketType t, Event @event) =>
        new(t.Id, t.EventId, t.Name, t.Kind, t.PriceZone, t.Capacity, t.PriceMinor, @event.Currency, t.AccessZone);
}
