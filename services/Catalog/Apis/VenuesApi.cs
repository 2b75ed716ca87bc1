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
/// Venues, managed by the admins of the organizer that owns them. Another organizer's venue is answered 404, so a
/// guessed id reveals nothing.
/// </summary>
public static class VenuesApi
{
    public static RouteGroupBuilder MapVenuesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/venues").WithTags("Venues").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapPost("/", CreateVenue).WithName("CreateVenue")
            .WithSummary("Creates a venue for an organizer the caller administers.")
            .WithJsonRequestExample(CatalogExamples.CreateVenue)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListVenues).WithName("ListVenues")
            .WithSummary("Lists the venues of the organizers the caller administers (or of one, with organizerId), newest first (cursor pagination).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{venueId:guid}", GetVenue).WithName("GetVenue").WithSummary("Reads one of the caller's venues.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{venueId:guid}", UpdateVenue).WithName("UpdateVenue")
            .WithSummary("Changes a venue's name, address, time zone or capacity; events already created keep their times.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public sealed record AddressRequest(
        [property: Required, StringLength(200, MinimumLength = 1)] string Line1,
        [property: StringLength(200)] string? Line2,
        [property: Required, StringLength(100, MinimumLength = 1)] string City,
        [property: Required, StringLength(20, MinimumLength = 1)] string PostalCode,
        [property: Required, StringLength(2, MinimumLength = 2)] string Country);

    public sealed record CreateVenueRequest(
        [property: Required] Guid? OrganizerId,
        [property: Required, StringLength(200, MinimumLength = 2)] string Name,
        [property: Required] AddressRequest Address,
        [property: Required, StringLength(64)] string TimeZone,
        [property: Range(1, 500_000)] int Capacity);

    public sealed record UpdateVenueRequest(
        [property: StringLength(200, MinimumLength = 2)] string? Name,
        AddressRequest? Address,
        [property: StringLength(64)] string? TimeZone,
        [property: Range(1, 500_000)] int? Capacity);

    public sealed record AddressResponse(string Line1, string? Line2, string City, string PostalCode, string Country);

    public sealed record VenueResponse(Guid Id, Guid OrganizerId, string Name, AddressResponse Address, string TimeZone, int Capacity, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private static async Task<Created<VenueResponse>> CreateVenue(CreateVenueRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var organizerId = request.OrganizerId!.Value;
        if (!caller.Administers(organizerId))
        {
            throw CatalogProblems.OrganizerNotFound();
        }

        var now = time.GetUtcNow();
        var venue = new Venue
        {
            Id = Guid.CreateVersion7(),
            OrganizerId = organizerId,
            Name = request.Name.Trim(),
            AddressLine1 = "",
            City = "",
            PostalCode = "",
            Country = "",
            TimeZone = IanaTimeZones.Find(request.TimeZone.Trim()).Id,
            Capacity = request.Capacity,
            CreatedAt = now,
            UpdatedAt = now,
        };
        SetAddress(venue, request.Address);
        db.Venues.Add(venue);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/venues/{venue.Id}", ToResponse(venue));
    }

    private static async Task<Ok<Page<VenueResponse>>> ListVenues(Guid? organizerId, string? cursor, int? limit, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(limit);
        var query = db.Venues.AsNoTracking();
        if (organizerId is { } id)
        {
            query = caller.Administers(id) ? query.Where(v => v.OrganizerId == id) : throw CatalogProblems.OrganizerNotFound();
        }
        else if (!caller.IsPlatformAdmin)
        {
            var administered = caller.AdministeredOrganizers.ToArray();
            query = query.Where(v => administered.Contains(v.OrganizerId));
        }

        if (PageCursor.Decode(cursor) is var (at, after))
        {
            query = query.Where(v => v.CreatedAt < at || (v.CreatedAt == at && v.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, v => (v.CreatedAt, v.Id), ToResponse));
    }

    private static async Task<Ok<VenueResponse>> GetVenue(Guid venueId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToResponse(await AdministeredAsync(db, caller, venueId, cancellationToken)));

    private static async Task<Ok<VenueResponse>> UpdateVenue(Guid venueId, UpdateVenueRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var venue = await AdministeredAsync(db, caller, venueId, cancellationToken);
        venue.Name = request.Name?.Trim() ?? venue.Name;
        venue.TimeZone = request.TimeZone is { } zone ? IanaTimeZones.Find(zone.Trim()).Id : venue.TimeZone;
        venue.Capacity = request.Capacity ?? venue.Capacity;
        if (request.Address is { } address)
        {
            SetAddress(venue, address);
        }

        venue.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(venue));
    }

    /// <summary>The venue, tracked, if the caller administers its organizer; otherwise a 404 that says nothing about whether it exists.</summary>
    internal static async Task<Venue> AdministeredAsync(CatalogDbContext db, Caller caller, Guid venueId, CancellationToken cancellationToken)
    {
        var venue = await db.Venues.FindAsync([venueId], cancellationToken);
        return venue is not null && caller.Administers(venue.OrganizerId) ? venue : throw CatalogProblems.VenueNotFound();
    }

    private static void SetAddress(Venue venue, AddressRequest address)
    {
        venue.AddressLine1 = address.Line1.Trim();
        venue.AddressLine2 = string.IsNullOrWhiteSpace(address.Line2) ? null : address.Line2.Trim();
        venue.City = address.City.Trim();
        venue.PostalCode = address.PostalCode.Trim();
        venue.Country = CountryCodes.Normalize(address.Country);
    }

    internal static VenueResponse ToResponse(Venue venue) => new(venue.Id, venue.OrganizerId, venue.Name,
        new AddressResponse(venue.AddressLine1, venue.AddressLine2, venue.City, venue.PostalCode, venue.Country),
        venue.TimeZone, venue.Capacity, venue.CreatedAt, venue.UpdatedAt);
}
