using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// Apple Wallet's side of a pass (its "pass web service", at the pass's <c>webServiceURL</c>), and the pass download a
/// link in an e-mail points at. Deliberately anonymous: Wallet sends no access token. Each pass carries its own
/// authentication token, which Wallet sends back as <c>Authorization: ApplePass ...</c>; a download link is its own signed,
/// expiring proof (<see cref="WalletLinks"/>). Paths and answers are the ones Apple's protocol fixes.
/// </summary>
public static class AppleWalletApi
{
    private const int MaximumIdentifierLength = 128;

    public static RouteGroupBuilder MapAppleWalletApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(CarriedDocuments.AppleWebServicePath).WithTags("Apple Wallet").AllowAnonymous();
        group.MapPost("/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", RegisterDevice).WithName("RegisterApplePassDevice")
            .WithSummary("Apple Wallet: a device that installed the pass asks to be told of its changes (201 new, 200 known, 401 wrong token).")
            .Problems(TicketsProblems.ApplePassUnauthorized, TicketsProblems.InvalidDevice);
        group.MapDelete("/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}", UnregisterDevice).WithName("UnregisterApplePassDevice")
            .WithSummary("Apple Wallet: the pass was removed from the device.")
            .Problems(TicketsProblems.ApplePassUnauthorized);
        group.MapGet("/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}", ListUpdatedPasses).WithName("ListUpdatedApplePasses")
            .WithSummary("Apple Wallet: the serial numbers of the device's passes changed since a tag (204 when none).")
            .Problems(TicketsProblems.InvalidDevice);
        group.MapGet("/v1/passes/{passTypeIdentifier}/{serialNumber}", GetLatestPass).WithName("GetLatestApplePass")
            .WithSummary("Apple Wallet: the pass as it is now (304 when not modified since If-Modified-Since).")
            .Problems(TicketsProblems.ApplePassUnauthorized, TicketsProblems.InvalidDevice, TicketsProblems.PassNotFound);
        group.MapPost("/v1/log", Log).WithName("LogApplePassErrors")
            .WithSummary("Apple Wallet: what went wrong on a device, for the operators' logs.");
        group.MapGet("/download/{token}", DownloadPass).WithName("DownloadApplePass")
            .WithSummary("The pass a wallet link in an e-mail points at, without signing in: the link is signed, expires, and dies with the ticket's next secret version.")
            .Problems(TicketsProblems.ApplePassUnauthorized, TicketsProblems.InvalidDevice, TicketsProblems.WalletLinkInvalid, TicketsProblems.WalletLinkVoid);
        return group;
    }

    public sealed record RegisterDeviceRequest([property: Required, StringLength(512, MinimumLength = 1)] string PushToken);

    public sealed record UpdatedPassesResponse(IReadOnlyList<string> SerialNumbers, string LastUpdated);

    public sealed record LogRequest([property: Required, MaxLength(100)] IReadOnlyList<string> Logs);

    private static async Task<IResult> RegisterDevice(string deviceLibraryIdentifier, string passTypeIdentifier, string serialNumber, RegisterDeviceRequest request,
        HttpContext http, TicketsDbContext db, WalletLinks links, IOptions<TicketsOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var ticketId = await AuthorizedPassAsync(passTypeIdentifier, serialNumber, http, links, options, cancellationToken);
        CheckDevice(deviceLibraryIdentifier);
        if (!await db.Tickets.AnyAsync(t => t.Id == ticketId, cancellationToken))
        {
            throw TicketsProblems.ApplePassUnauthorized();
        }

        // One statement, so a device registering twice at once gets one row and one 201.
        var inserted = await db.Database.ExecuteSqlAsync($"""
            insert into tickets.apple_pass_registrations (device_library_id, pass_type_id, serial_number, ticket_id, push_token, registered_at)
            values ({deviceLibraryIdentifier}, {passTypeIdentifier}, {serialNumber}, {ticketId}, {request.PushToken}, {time.GetUtcNow()})
            on conflict (device_library_id, pass_type_id, serial_number) do nothing
            """, cancellationToken);
        if (inserted == 0)
        {
            await db.ApplePassRegistrations.Where(r => r.DeviceLibraryId == deviceLibraryIdentifier && r.PassTypeId == passTypeIdentifier && r.SerialNumber == serialNumber)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.PushToken, request.PushToken), cancellationToken);
            return TypedResults.Ok();
        }

        return TypedResults.Created();
    }

    private static async Task<Ok> UnregisterDevice(string deviceLibraryIdentifier, string passTypeIdentifier, string serialNumber, HttpContext http, TicketsDbContext db,
        WalletLinks links, IOptions<TicketsOptions> options, CancellationToken cancellationToken)
    {
        await AuthorizedPassAsync(passTypeIdentifier, serialNumber, http, links, options, cancellationToken);
        await db.ApplePassRegistrations.Where(r => r.DeviceLibraryId == deviceLibraryIdentifier && r.PassTypeId == passTypeIdentifier && r.SerialNumber == serialNumber)
            .ExecuteDeleteAsync(cancellationToken);
        return TypedResults.Ok();
    }

    private static async Task<Results<Ok<UpdatedPassesResponse>, NoContent>> ListUpdatedPasses(string deviceLibraryIdentifier, string passTypeIdentifier,
        string? passesUpdatedSince, TicketsDbContext db, CarriedDocuments documents, CancellationToken cancellationToken)
    {
        CheckDevice(deviceLibraryIdentifier);
        var registered = await db.ApplePassRegistrations.AsNoTracking()
            .Where(r => r.DeviceLibraryId == deviceLibraryIdentifier && r.PassTypeId == passTypeIdentifier)
            .Select(r => new { r.SerialNumber, r.TicketId }).ToListAsync(cancellationToken);
        var ticketIds = registered.Select(r => r.TicketId).Distinct().ToList();
        var tickets = await documents.Tickets().Where(c => ticketIds.Contains(c.Ticket.Id)).ToDictionaryAsync(c => c.Ticket.Id, cancellationToken);

        // The tag is the newest change time in ticks: opaque to Wallet, exact to the microsecond PostgreSQL keeps.
        var since = long.TryParse(passesUpdatedSince, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : (long?)null;
        var updated = registered.Where(r => tickets.ContainsKey(r.TicketId))
            .Select(r => (r.SerialNumber, Changed: CarriedDocuments.LastModified(tickets[r.TicketId]).UtcTicks))
            .Where(r => since is null || r.Changed > since)
            .ToList();
        if (updated.Count == 0)
        {
            return TypedResults.NoContent();
        }

        return TypedResults.Ok(new UpdatedPassesResponse([.. updated.Select(u => u.SerialNumber).Order(StringComparer.Ordinal)],
            updated.Max(u => u.Changed).ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<FileContentHttpResult> GetLatestPass(string passTypeIdentifier, string serialNumber, HttpContext http, WalletLinks links,
        CarriedDocuments documents, IOptions<TicketsOptions> options, CancellationToken cancellationToken)
    {
        var ticketId = await AuthorizedPassAsync(passTypeIdentifier, serialNumber, http, links, options, cancellationToken);
        CarriedDocuments.TryReadSerial(serialNumber, out _, out var secretVersion);
        var ticket = await documents.Tickets().SingleOrDefaultAsync(c => c.Ticket.Id == ticketId, cancellationToken) ?? throw TicketsProblems.PassNotFound();
        return PassFile(await documents.ApplePassAsync(ticket, secretVersion, cancellationToken), ticket, http);
    }

    private static Ok Log(LogRequest request, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("TicketToken.Tickets.AppleWallet");
        foreach (var line in request.Logs)
        {
            logger.LogWarning("Apple Wallet reported: {Message}", line.Length > 1000 ? line[..1000] : line);
        }

        return TypedResults.Ok();
    }

    private static async Task<FileContentHttpResult> DownloadPass(string token, HttpContext http, WalletLinks links, CarriedDocuments documents, CancellationToken cancellationToken)
    {
        var (ticketId, secretVersion) = await links.ReadAsync(token, cancellationToken) ?? throw TicketsProblems.WalletLinkInvalid();
        var ticket = await documents.Tickets().SingleOrDefaultAsync(c => c.Ticket.Id == ticketId, cancellationToken) ?? throw TicketsProblems.WalletLinkInvalid();
        if (ticket.Ticket.SecretVersion != secretVersion || !ticket.MayCarryPassCode)
        {
            throw TicketsProblems.WalletLinkVoid();
        }

        return PassFile(await documents.ApplePassAsync(ticket, secretVersion, cancellationToken), ticket, http);
    }

    private static FileContentHttpResult PassFile(byte[] pass, CarriedTicket ticket, HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        // With a Last-Modified, the file result answers If-Modified-Since itself (304), as Wallet's update check expects.
        return TypedResults.File(pass, ApplePass.MediaType, "ticket.pkpass", lastModified: CarriedDocuments.LastModifiedSecond(ticket));
    }

    /// <summary>The pass's ticket, once the pass type is ours and the request carries the pass's own token; 401 otherwise.</summary>
    private static async Task<Guid> AuthorizedPassAsync(string passTypeIdentifier, string serialNumber, HttpContext http, WalletLinks links, IOptions<TicketsOptions> options,
        CancellationToken cancellationToken)
    {
        const string Scheme = "ApplePass ";
        var authorization = http.Request.Headers.Authorization.ToString();
        var presented = authorization.StartsWith(Scheme, StringComparison.Ordinal) ? authorization[Scheme.Length..].Trim() : null;
        if (passTypeIdentifier != options.Value.AppleWallet.PassTypeIdentifier || !CarriedDocuments.TryReadSerial(serialNumber, out var ticketId, out _)
            || !await links.IsPassTokenAsync(serialNumber, presented, cancellationToken))
        {
            throw TicketsProblems.ApplePassUnauthorized();
        }

        return ticketId;
    }

    private static void CheckDevice(string deviceLibraryIdentifier)
    {
        if (deviceLibraryIdentifier.Length > MaximumIdentifierLength || !deviceLibraryIdentifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw TicketsProblems.InvalidDevice();
        }
    }
}
