using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Identity.Data;
using TicketToken.Identity.Domain;

namespace TicketToken.Identity.Apis;

/// <summary>Scanner devices: issued by an organizer admin for one venue, signed in with their own credentials, revocable.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var organizer = app.MapGroup("/api/organizers/{organizerId:guid}/devices").WithTags("Devices").RequireAuthorization(Policies.OrganizerAdmin);
        organizer.MapPost("/", RegisterDevice).WithName("RegisterDevice")
            .WithSummary("Registers a scanner device for one venue and returns its credentials; the secret is shown only now.");
        organizer.MapGet("/", ListDevices).WithName("ListDevices").WithSummary("Lists the organizer's scanner devices, newest first (cursor pagination).");
        organizer.MapDelete("/{deviceId:guid}", RevokeDevice).WithName("RevokeDevice")
            .WithSummary("Revokes a device: it can no longer get tokens, and its current token dies within the device token lifetime.");

        var devices = app.MapGroup("/api/devices").WithTags("Devices");
        // Anonymous by design: the device credentials in the body are what is checked (and throttled like a password).
        devices.MapPost("/token", IssueDeviceToken).AllowAnonymous().WithName("IssueDeviceToken")
            .WithSummary("Trades a device's id and secret for a short-lived scanner access token.");
        devices.MapGet("/me", CurrentDevice).RequireAuthorization(Policies.Scanner).WithName("GetCurrentDevice")
            .WithSummary("Tells a scanner device who it is: its organizer, venue and name.");
        return app;
    }

    public sealed record RegisterDeviceRequest([property: Required, StringLength(100, MinimumLength = 1)] string Name, [property: Required] Guid VenueId);

    public sealed record DeviceCredentialsResponse(Guid DeviceId, string Secret, Guid OrganizerId, Guid VenueId, string Name);

    public sealed record DeviceResponse(Guid Id, Guid OrganizerId, Guid VenueId, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt);

    public sealed record DeviceTokenRequest([property: Required] Guid DeviceId, [property: Required, StringLength(200)] string Secret);

    private static async Task<Created<DeviceCredentialsResponse>> RegisterDevice(Guid organizerId, RegisterDeviceRequest request, Caller caller, IdentityDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await OrganizersApi.AdministeredAsync(db, caller, organizerId, cancellationToken);
        var secret = OpaqueToken.New();
        var device = new Device
        {
            Id = Guid.NewGuid(),
            OrganizerId = organizerId,
            VenueId = request.VenueId,
            Name = request.Name.Trim(),
            SecretHash = OpaqueToken.Hash(secret),
            CreatedBy = caller.RequiredUserId,
            CreatedAt = time.GetUtcNow(),
        };
        db.Devices.Add(device);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/organizers/{organizerId}/devices/{device.Id}", new DeviceCredentialsResponse(device.Id, secret, organizerId, device.VenueId, device.Name));
    }

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
        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == deviceId && d.OrganizerId == organizerId, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status404NotFound, "device_not_found", "There is no such device.");
        device.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<DeviceTokenResponse>, ProblemHttpResult>> IssueDeviceToken(DeviceTokenRequest request, HttpContext http,
        IdentityDbContext db, Throttle throttle, SignIn signIn, TimeProvider time, IOptions<IdentityOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var deviceKey = $"device:{request.DeviceId}";
        var addressKey = Throttle.ForAddress("device", http.Connection.RemoteIpAddress?.ToString());
        if (await throttle.LockedForAsync([deviceKey, addressKey], cancellationToken) is { } lockedFor)
        {
            return AuthApi.TooManyAttempts(http, lockedFor, "device sign-in");
        }

        var device = await db.Devices.SingleOrDefaultAsync(d => d.Id == request.DeviceId, cancellationToken);
        var presented = OpaqueToken.Hash(request.Secret);
        if (device is null || device.RevokedAt is not null || !CryptographicOperations.FixedTimeEquals(device.SecretHash, presented))
        {
            await throttle.CountAsync(deviceKey, settings.MaxFailuresPerAccount, settings.FailureWindow, settings.LockoutDuration, cancellationToken);
            await throttle.CountAsync(addressKey, settings.MaxFailuresPerAddress, settings.FailureWindow, settings.LockoutDuration, cancellationToken);
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_device_credentials", "The device id or secret is wrong, or the device was revoked.");
        }

        device.LastSeenAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await signIn.IssueDeviceTokenAsync(device, cancellationToken));
    }

    private static async Task<Ok<DeviceResponse>> CurrentDevice(Caller caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var device = await db.Devices.AsNoTracking().SingleOrDefaultAsync(d => d.Id == caller.DeviceId && d.RevokedAt == null, cancellationToken)
            ?? throw new ProblemException(StatusCodes.Status401Unauthorized, "device_revoked", "This device was revoked.");
        return TypedResults.Ok(ToResponse(device));
    }

    private static DeviceResponse ToResponse(Device device) =>
        new(device.Id, device.OrganizerId, device.VenueId, device.Name, device.RevokedAt is null ? "active" : "revoked", device.CreatedAt, device.LastSeenAt);
}
