using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>Scanner devices: issued by an organizer admin for one venue, signed in with their own credentials, revocable.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var organizer = app.MapGroup("/api/organizers/{organizerId:guid}/devices").WithTags("Devices").RequireAuthorization(Policies.OrganizerAdmin)
            .Problems(IdentityProblems.OrganizerNotFound);
        organizer.MapPost("/", RegisterDevice).WithName("RegisterDevice")
            .WithSummary("Registers a scanner device for one venue and returns its credentials; the secret is shown only now.")
            .Problems(IdentityProblems.VenueNotFound, () => IdentityProblems.InvalidZones([]));
        organizer.MapGet("/", ListDevices).WithName("ListDevices").WithSummary("Lists the organizer's scanner devices, newest first (cursor pagination).")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        organizer.MapPatch("/{deviceId:guid}", ChangeDevice).WithName("ChangeDevice")
            .WithSummary("Renames a device, moves it to another venue, or changes the entry zones whose gates it may scan at.")
            .Problems(IdentityProblems.DeviceNotFound, IdentityProblems.VenueNotFound, IdentityProblems.DeviceDeactivated, () => IdentityProblems.InvalidZones([]));
        organizer.MapDelete("/{deviceId:guid}", RevokeDevice).WithName("RevokeDevice")
            .WithSummary("Deactivates (revokes) a device: it can no longer get tokens, scanning refuses its scans at once, and its current token dies within the device token lifetime.")
            .Problems(IdentityProblems.DeviceNotFound);

        var devices = app.MapGroup("/api/devices").WithTags("Devices");
        // Anonymous by design: the device credentials in the body are what is checked (and throttled like a password).
        devices.MapPost("/token", IssueDeviceToken).AllowAnonymous().WithName("IssueDeviceToken")
            .WithSummary("Trades a device's id and secret for a short-lived scanner access token.")
            .Problems(IdentityProblems.InvalidDeviceCredentials, () => IdentityProblems.TooManyAttempts(TimeSpan.Zero, "device sign-in"));
        devices.MapGet("/me", CurrentDevice).RequireAuthorization(Policies.Scanner).WithName("GetCurrentDevice")
            .WithSummary("Tells a scanner device who it is: its organizer, venue and name.")
            .Problems(IdentityProblems.DeviceTokenRevoked);
        return app;
    }

    /// <summary>A new device; <see cref="Zones"/> defaults to general admission only.</summary>
    public sealed record RegisterDeviceRequest([property: Required, StringLength(100, MinimumLength = 1)] string Name, [property: Required] Guid VenueId,
        [property: MaxLength(3)] IReadOnlyList<string>? Zones = null);

    /// <summary>What to change of a device; absent fields stay as they are.</summary>
    public sealed record ChangeDeviceRequest([property: StringLength(100, MinimumLength = 1)] string? Name = null, Guid? VenueId = null,
        [property: MaxLength(3)] IReadOnlyList<string>? Zones = null);

    public sealed record DeviceCredentialsResponse(Guid DeviceId, string Secret, Guid OrganizerId, Guid VenueId, string Name, IReadOnlyList<string> Zones);

    public sealed record DeviceResponse(Guid Id, Guid OrganizerId, Guid VenueId, string Name, IReadOnlyList<string> Zones, string Status, DateTimeOffset CreatedAt,
        DateTimeOffset? LastSeenAt);

    public sealed record DeviceTokenRequest([property: Required] Guid DeviceId, [property: Required, StringLength(200)] string Secret);

    private static async Task<Created<DeviceCredentialsResponse>> RegisterDevice(Guid organizerId, RegisterDeviceRequest request, Caller caller, IdentityDbContext db,
        IActorProxyFactory actors, TimeProvider time, CancellationToken cancellationToken)
    {
        await OrganizersApi.AdministeredAsync(db, caller, organizerId, cancellationToken);
        var zones = CheckZones(request.Zones) ?? [AccessZones.GeneralAdmission];
        await RequireOwnVenueAsync(actors, organizerId, request.VenueId);
        var secret = OpaqueToken.New();
        var device = new Device
        {
            Id = Guid.NewGuid(),
            OrganizerId = organizerId,
            VenueId = request.VenueId,
            Name = request.Name.Trim(),
            SecretHash = OpaqueToken.Hash(secret),
            Zones = zones,
            CreatedBy = caller.RequiredUserId,
            CreatedAt = time.GetUtcNow(),
        };
        db.Devices.Add(device);
        PublishChange(db, device, device.CreatedAt);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/organizers/{organizerId}/devices/{device.Id}",
            new DeviceCredentialsResponse(device.Id, secret, organizerId, device.VenueId, device.Name, device.Zones));
    }

    private static async Task<Ok<DeviceResponse>> ChangeDevice(Guid organizerId, Guid deviceId, ChangeDeviceRequest request, Caller caller, IdentityDbContext db,
        IActorProxyFactory actors, TimeProvider time, CancellationToken cancellationToken)
    {
        await OrganizersApi.AdministeredAsync(db, caller, organizerId, cancellationToken);
        var zones = CheckZones(request.Zones);
        var device = await OwnDeviceAsync(db, organizerId, deviceId, cancellationToken);
        if (device.RevokedAt is not null)
        {
            throw IdentityProblems.DeviceDeactivated();
        }

        var changed = false;
        if (request.Name?.Trim() is { } name && name != device.Name)
        {
            device.Name = name;
            changed = true;
        }

        if (request.VenueId is { } venueId && venueId != device.VenueId)
        {
            await RequireOwnVenueAsync(actors, organizerId, venueId);
            device.VenueId = venueId;
            changed = true;
        }

        if (zones is not null && !zones.SequenceEqual(device.Zones))
        {
            device.Zones = zones;
            changed = true;
        }

        if (changed)
        {
            device.Version++;
            PublishChange(db, device, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(ToResponse(device));
    }

    /// <summary>
    /// A device scans at one of its organizer's venues: catalog owns venues, so it is asked. Another organizer's venue is
    /// answered as if it did not exist (404), like every foreign resource.
    /// </summary>
    private static async Task RequireOwnVenueAsync(IActorProxyFactory actors, Guid organizerId, Guid venueId)
    {
        var owner = venueId == Guid.Empty ? null
            : await actors.CreateActorProxy<IVenueActor>(CatalogActors.VenueId(venueId), CatalogActors.Venue).GetOwnerAsync();
        if (owner?.OrganizerId != organizerId)
        {
            throw IdentityProblems.VenueNotFound();
        }
    }

    /// <summary>The zones asked for, known and in canonical order (GA, VIP, BACKSTAGE), or null when none were given.</summary>
    private static string[]? CheckZones(IReadOnlyList<string>? zones)
    {
        if (zones is null)
        {
            return null;
        }

        var normalized = zones.Select(z => z?.Trim().ToUpperInvariant()).ToList();
        if (normalized.Count == 0 || normalized.Any(z => AccessZones.Rank(z) < 0))
        {
            throw IdentityProblems.InvalidZones(zones);
        }

        return [.. normalized.Distinct().OrderBy(AccessZones.Rank)!];
    }

    private static void PublishChange(IdentityDbContext db, Device device, DateTimeOffset at) =>
        db.Publish(DeviceChanged.Topic, new DeviceChanged(device.Id, device.OrganizerId, device.VenueId, device.Name, device.Zones, device.RevokedAt is null,
            device.Version, at));

    private static async Task<Device> OwnDeviceAsync(IdentityDbContext db, Guid organizerId, Guid deviceId, CancellationToken cancellationToken) =>
        await db.Devices.SingleOrDefaultAsync(d => d.Id == deviceId && d.OrganizerId == organizerId, cancellationToken)
            ?? throw IdentityProblems.DeviceNotFound();

    private static async Task<Ok<Page<DeviceResponse>>> ListDevices(Guid organizerId, string? cursor, int? limit, Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        await OrganizersApi.AdministeredAsync(db, caller, organizerId, cancellationToken);
        var take = PageCursor.Limit(limit);
        var query = db.Devices.AsNoTracking().Where(d => d.OrganizerId == organizerId);
        if (PageCursor.Decode(cursor) is var (at, id))
        {
            query = query.Where(d => d.CreatedAt < at || (d.CreatedAt == at && d.Id.CompareTo(id) < 0));
        }

        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, d => (d.CreatedAt, d.Id), ToResponse));
    }

    private static async Task<NoContent> RevokeDevice(Guid organizerId, Guid deviceId, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await OrganizersApi.AdministeredAsync(db, caller, organizerId, cancellationToken);
        var device = await OwnDeviceAsync(db, organizerId, deviceId, cancellationToken);
        if (device.RevokedAt is null)
        {
            device.RevokedAt = time.GetUtcNow();
            device.Version++;
            PublishChange(db, device, device.RevokedAt.Value);
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<DeviceTokenResponse>> IssueDeviceToken(DeviceTokenRequest request, HttpContext http,
        IdentityDbContext db, Throttle throttle, SignIn signIn, TimeProvider time, IOptions<IdentityOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deviceKey = $"device:{request.DeviceId}";
        var addressKey = Throttle.ForAddress("device", http.Connection.RemoteIpAddress?.ToString());
        if (await throttle.LockedForAsync([deviceKey, addressKey], cancellationToken) is { } lockedFor)
        {
            throw IdentityProblems.TooManyAttempts(lockedFor, "device sign-in");
        }

        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == request.DeviceId, cancellationToken);
        var presented = OpaqueToken.Hash(request.Secret);
        if (device is null || device.RevokedAt is not null || !CryptographicOperations.FixedTimeEquals(device.SecretHash, presented))
        {
            await throttle.CountAsync(deviceKey, settings.MaxFailuresPerAccount, settings.FailureWindow, settings.LockoutDuration, cancellationToken);
            await throttle.CountAsync(addressKey, settings.MaxFailuresPerAddress, settings.FailureWindow, settings.LockoutDuration, cancellationToken);
            throw IdentityProblems.InvalidDeviceCredentials();
        }

        device.LastSeenAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await signIn.IssueDeviceTokenAsync(device, cancellationToken));
    }

    private static async Task<Ok<DeviceResponse>> CurrentDevice(Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == caller.DeviceId && d.RevokedAt == null, cancellationToken)
            ?? throw IdentityProblems.DeviceTokenRevoked();
        return TypedResults.Ok(ToResponse(device));
    }

    private static DeviceResponse ToResponse(Device device) =>
        new(device.Id, device.OrganizerId, device.VenueId, device.Name, device.Zones, device.RevokedAt is null ? "active" : "revoked", device.CreatedAt, device.LastSeenAt);
}
