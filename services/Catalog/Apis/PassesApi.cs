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

namespace TicketToken.Catalog.Apis;

/// <summary>
/// Season and multi-day passes (docs/adr/0023): an organizer's admin puts several of its events (the occurrences of a
/// series, the days of a festival) into one product with one price. Fans see a pass once every one of its events is
/// public; until then it is its organizer's, and anyone else is answered 404.
/// </summary>
public static class PassesApi
{
    public const string Reserved = "reserved";
    public const string GeneralAdmission = "general_admission";

    public static RouteGroupBuilder MapPassesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/passes").WithTags("Passes");
        group.MapPost("/", CreatePass).RequireAuthorization(Policies.OrganizerAdmin).WithName("CreatePass")
            .WithSummary("Creates a season or multi-day pass over several of the organizer's events, sold once at one price; a seated pass needs events on one seat map.")
            .WithJsonRequestExamples(CatalogExamples.CreatePass)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListPasses).RequireAuthorization(Policies.OrganizerAdmin).WithName("ListPasses")
            .WithSummary("Lists the passes of the organizers the caller administers (or of one, with organizerId), newest first (cursor pagination).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Browsing, like events: anyone may read a pass whose events are all public; other passes are their organizer's.
        group.MapGet("/{passId:guid}", GetPass).AllowAnonymous().WithName("GetPass")
            .WithSummary("Reads a pass with its events; public once all of its events are.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary>
    /// <see cref="TicketType"/>: the name of the ticket type the pass's ticket is of at each event; every event must have one of
    /// that name and kind (for reserved seating, of the same price zone), so the pass admits where that type does.
    /// </summary>
    public sealed record CreatePassRequest(
        [property: Required] Guid? OrganizerId,
        [property: Required, StringLength(200, MinimumLength = 2)] string Name,
        [property: StringLength(5000)] string? Description,
        [property: Required, MinLength(2), MaxLength(MaximumEvents)] IReadOnlyList<Guid>? EventIds,
        [property: Required, StringLength(100, MinimumLength = 1)] string TicketType,
        [property: Required, Range(0d, 1e12)] long? PriceMinor);

    public const int MaximumEvents = 100;

    public sealed record PassEventResponse(Guid EventId, string Name, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Status, Guid TicketTypeId);

    public sealed record PassResponse(Guid Id, Guid OrganizerId, string Name, string? Description, string Kind, Guid? SeatMapId, string? PriceZone, long PriceMinor,
        string Currency, bool Public, IReadOnlyList<PassEventResponse> Events, DateTimeOffset CreatedAt);

    private static async Task<Created<PassResponse>> CreatePass(CreatePassRequest request, Caller caller, CatalogDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var organizerId = request.OrganizerId!.Value;
        if (!caller.Administers(organizerId))
        {
            throw CatalogProblems.OrganizerNotFound();
        }

        var eventIds = request.EventIds!;
        if (eventIds.Distinct().Count() != eventIds.Count)
        {
            throw CatalogProblems.InvalidPass("An event is named twice; a pass admits once per event.");
        }

        // Another organizer's event is answered like one that does not exist.
        var events = await db.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id) && e.OrganizerId == organizerId).ToListAsync(cancellationToken);
        if (events.Count != eventIds.Count)
        {
            throw CatalogProblems.EventNotFound();
        }

        if (events.FirstOrDefault(e => e.Status is EventStatus.Cancelled or EventStatus.Completed) is { } over)
        {
            throw CatalogProblems.InvalidPass($"Event {over.Id} is {EventLifecycle.Name(over.Status)}: a pass sells events still to come.");
        }

        if (events.Select(e => e.Currency).Distinct().Count() > 1)
        {
            throw CatalogProblems.InvalidPass("The events are priced in different currencies; a pass has one price.");
        }

        var name = request.TicketType.Trim();
        var types = await db.TicketTypes.AsNoTracking().Where(t => eventIds.Contains(t.EventId) && t.Name == name).ToListAsync(cancellationToken);
        if (types.Select(t => t.EventId).Distinct().Count() != eventIds.Count)
        {
            var missing = eventIds.First(id => types.All(t => t.EventId != id));
            throw CatalogProblems.InvalidPass($"Event {missing} has no ticket type named '{name}'; each event of a pass needs one.");
        }

        var kinds = types.Select(t => t.Kind).Distinct().ToList();
        if (kinds.Count > 1)
        {
            throw CatalogProblems.InvalidPass($"'{name}' is reserved seating at some events and general admission at others; a pass is one or the other.");
        }

        Guid? seatMapId = null;
        if (kinds[0] == Reserved)
        {
            // The same seat in every event: only one seat map guarantees that the seat exists everywhere.
            if (events.Select(e => e.SeatMapId).Distinct().Count() > 1)
            {
                throw CatalogProblems.InvalidPass("The events use different seat maps; a seated pass holds the same seat in each, so they need one seat map.");
            }

            if (types.Select(t => t.PriceZone).Distinct().Count() > 1)
            {
                throw CatalogProblems.InvalidPass($"'{name}' covers different price zones at different events; a seated pass needs one zone.");
            }

            seatMapId = events[0].SeatMapId;
        }

        var order = eventIds.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var pass = new Pass
        {
            Id = Guid.CreateVersion7(),
            OrganizerId = organizerId,
            Name = request.Name.Trim(),
            Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim(),
            Kind = kinds[0],
            SeatMapId = seatMapId,
            PriceMinor = request.PriceMinor!.Value,
            Currency = events[0].Currency,
            CreatedAt = time.GetUtcNow(),
        };
        // Ordered by start, so that a season reads in its order whatever order the request named them in.
        foreach (var (e, position) in events.OrderBy(e => e.StartsAt).ThenBy(e => order[e.Id]).Select((e, i) => (e, i)))
        {
            pass.Events.Add(new PassEvent { PassId = pass.Id, EventId = e.Id, TicketTypeId = types.First(t => t.EventId == e.Id).Id, Position = position });
        }

        db.Passes.Add(pass);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/passes/{pass.Id}", await ResponseAsync(db, pass, cancellationToken));
    }

    private static async Task<Ok<Page<PassResponse>>> ListPasses(Guid? organizerId, string? cursor, int? limit, Caller caller, CatalogDbContext db,
        CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(limit);
        var query = db.Passes.AsNoTracking().Include(p => p.Events).AsQueryable();
        if (organizerId is { } id)
        {
            query = caller.Administers(id) ? query.Where(p => p.OrganizerId == id) : throw CatalogProblems.OrganizerNotFound();
        }
        else if (!caller.IsPlatformAdmin)
        {
            var administered = caller.AdministeredOrganizers.ToArray();
            query = query.Where(p => administered.Contains(p.OrganizerId));
        }

        if (PageCursor.Decode(cursor) is var (at, after))
        {
            query = query.Where(p => p.CreatedAt < at || (p.CreatedAt == at && p.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(take + 1).ToListAsync(cancellationToken);
        var responses = new Dictionary<Guid, PassResponse>();
        foreach (var pass in rows)
        {
            responses[pass.Id] = await ResponseAsync(db, pass, cancellationToken);
        }

        return TypedResults.Ok(PageCursor.Build(rows, take, p => (p.CreatedAt, p.Id), p => responses[p.Id]));
    }

    private static async Task<Ok<PassResponse>> GetPass(Guid passId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var pass = await db.Passes.AsNoTracking().Include(p => p.Events).SingleOrDefaultAsync(p => p.Id == passId, cancellationToken)
            ?? throw CatalogProblems.PassNotFound();
        var response = await ResponseAsync(db, pass, cancellationToken);
        return response.Public || caller.Administers(pass.OrganizerId) ? TypedResults.Ok(response) : throw CatalogProblems.PassNotFound();
    }

    private static async Task<PassResponse> ResponseAsync(CatalogDbContext db, Pass pass, CancellationToken cancellationToken)
    {
        var ids = pass.Events.Select(e => e.EventId).ToList();
        var events = await db.Events.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        var first = pass.Events.OrderBy(e => e.Position).First().TicketTypeId;
        var zone = pass.Kind == Reserved
            ? await db.TicketTypes.AsNoTracking().Where(t => t.Id == first).Select(t => t.PriceZone).SingleAsync(cancellationToken)
            : null;
        var listed = pass.Events.OrderBy(e => e.Position).Select(e => events[e.EventId])
            .Select(e => new PassEventResponse(e.Id, e.Name, e.StartsAt, e.EndsAt, EventLifecycle.Name(e.Status), pass.Events.Single(p => p.EventId == e.Id).TicketTypeId))
            .ToList();
        return new PassResponse(pass.Id, pass.OrganizerId, pass.Name, pass.Description, pass.Kind, pass.SeatMapId, zone, pass.PriceMinor, pass.Currency,
            events.Values.All(e => EventLifecycle.IsPublic(e.Status)), listed, pass.CreatedAt);
    }
}
