using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Tickets;
using TicketToken.Tickets.Data;
using TicketToken.Tickets.Domain;

namespace TicketToken.Tickets.Apis;

/// <summary>
/// A fan's own tickets: the list, one ticket, its current entry code as a QR image, and what an app needs to show the
/// code offline. Another fan's ticket is answered 404, exactly like one that does not exist.
/// </summary>
public static class TicketsApi
{
    public static RouteGroupBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tickets").WithTags("Tickets").RequireAuthorization(Policies.Fan);
        group.MapGet("/", ListMyTickets).WithName("ListMyTickets")
            .WithSummary("Lists the signed-in fan's tickets by event start (when=past: latest first), filtered by event, status and upcoming or past, with cursor pagination.")
            .Problems(PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapGet("/passes", ListMyPasses).WithName("ListMyPasses")
            .WithSummary("The signed-in fan's season and multi-day passes, each one entry with its events and each event's ticket (for its code, wallet pass or PDF), soonest first.");
        group.MapGet("/{ticketId:guid}", GetTicket).WithName("GetTicket")
            .WithSummary("Reads one of the fan's tickets: event, seat, status and order.")
            .Problems(TicketsProblems.TicketNotFound);
        group.MapGet("/{ticketId:guid}/qr", GetTicketQrCode).WithName("GetTicketQrCode")
            .WithSummary("The ticket's current entry code (TT2) as a QR image (format=png or svg); it rotates every few seconds (X-Code-Expires), and only an active ticket has one.")
            .Problems(TicketsProblems.HeldForPickup, () => TicketsProblems.TicketNotActive(default), TicketsProblems.TicketNotFound, QrImages.UnsupportedFormat);
        group.MapGet("/{ticketId:guid}/offline", GetOfflineCode).WithName("GetTicketOfflineCode")
            .WithSummary("What an app needs to compute the rotating entry code (TT2) without a network: the ticket's secret, how the TOTP key is derived from it, the step and the payload format.")
            .Problems(TicketsProblems.HeldForPickup, () => TicketsProblems.TicketNotActive(default), TicketsProblems.TicketNotFound);
        return group;
    }

    /// <summary>The filters of <c>GET /api/tickets</c>.</summary>
    public sealed class TicketFilter
    {
        [FromQuery(Name = "eventId")]
        public Guid? EventId { get; init; }

        [FromQuery(Name = "status")]
        [AllowedValues(null, TicketStatuses.Issued, TicketStatuses.Active, TicketStatuses.CheckedIn, TicketStatuses.Transferred, TicketStatuses.Refunded,
            TicketStatuses.Revoked, TicketStatuses.Expired, TicketStatuses.Cancelled)]
        public string? Status { get; init; }

        /// <summary><c>upcoming</c>: the event has not ended (soonest first); <c>past</c>: it has (latest first).</summary>
        [FromQuery(Name = "when"), AllowedValues(null, "upcoming", "past")]
        public string? When { get; init; }

        [FromQuery(Name = "cursor")]
        public string? Cursor { get; init; }

        [FromQuery(Name = "limit")]
        public int? Limit { get; init; }
    }

    public sealed record VenueSummary(Guid Id, string? Name, string? City);

    /// <summary>The event as last announced; name, times and venue are null until the announcement reached tickets.</summary>
    public sealed record EventSummary(Guid Id, string? Name, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? TimeZone, VenueSummary? Venue, bool Cancelled);

    public sealed record TicketTypeSummary(Guid Id, string Name);

    public sealed record SeatSummary(string Id, string? Section, string? Row, string? Number, string? PriceZone);

    /// <summary>The pass a ticket is one event of (docs/adr/0023).</summary>
    public sealed record PassSummary(Guid Id, string Name);

    /// <summary>
    /// A ticket; <see cref="Seat"/> is null for general admission, the order is null for a ticket received by transfer;
    /// <see cref="Pass"/> is set on each event's ticket of a pass.
    /// </summary>
    public sealed record TicketResponse(Guid Id, string Status, EventSummary Event, TicketTypeSummary TicketType, SeatSummary? Seat, long FaceValue, string Currency,
        Guid? OrderId, string? OrderNumber, DateTimeOffset IssuedAt, DateTimeOffset? ActivatedAt, DateTimeOffset StatusChangedAt, PassSummary? Pass);

    /// <summary>One pass as the fan holds it: its events in order, each with that event's ticket.</summary>
    public sealed record PassEntry(Guid PassId, string Name, Guid? OrderId, string? OrderNumber, IReadOnlyList<TicketResponse> Events);

    /// <summary>A fan holds a handful of passes of at most 100 events each; this bounds one answer all the same.</summary>
    public const int MaximumPassTickets = 2_000;

    /// <summary>
    /// How to make the ticket's codes offline: <see cref="TotpCode"/> in Contracts is the reference (an app may still make
    /// version 1 codes with <see cref="TicketCode"/>; gates accept both). <see cref="Secret"/> is a bearer secret: keep it
    /// like a password. It stops working when the ticket's secret changes (a transfer, a reissue).
    /// </summary>
    public sealed record OfflineCodeResponse(Guid TicketId, string Secret, int SecretVersion, string Algorithm, string PayloadFormat, string Message,
        int Digits, int StepSeconds, DateTimeOffset? ValidUntil);

    [SkipValidation] // services, not input
    public sealed record CodeServices(TicketsDbContext Db, [FromKeyedServices(TicketsModule.Id)] SecretProtector Protector, TimeProvider Time, IOptions<TicketsOptions> Options);

    /// <summary>A ticket, its event, and its place in a list (member-initialised, so that queries can go on composing on it).</summary>
    private sealed class Row
    {
        public required Ticket Ticket { get; init; }
        public required Event Event { get; init; }
        public DateTimeOffset SortAt { get; init; }
    }

    private static async Task<Ok<Page<TicketResponse>>> ListMyTickets([AsParameters] TicketFilter filter, Caller caller, TicketsDbContext db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var take = PageCursor.Limit(filter.Limit);
        var query = Mine(db, caller);
        if (filter.EventId is { } eventId)
        {
            query = query.Where(r => r.Ticket.EventId == eventId);
        }

        if (filter.Status is not null)
        {
            var status = TicketLifecycle.Parse(filter.Status);
            query = query.Where(r => r.Ticket.Status == status);
        }

        var now = time.GetUtcNow();
        query = filter.When switch
        {
            "upcoming" => query.Where(r => r.Event.EndsAt == null || r.Event.EndsAt > now),
            "past" => query.Where(r => r.Event.EndsAt != null && r.Event.EndsAt <= now),
            _ => query,
        };

        // Keyset on (event start, ticket id); a ticket whose event is not announced yet sorts by when it was issued.
        var latestFirst = filter.When == "past";
        if (PageCursor.Decode(filter.Cursor) is var (at, after))
        {
            query = latestFirst
                ? query.Where(r => r.SortAt < at || (r.SortAt == at && r.Ticket.Id.CompareTo(after) < 0))
                : query.Where(r => r.SortAt > at || (r.SortAt == at && r.Ticket.Id.CompareTo(after) > 0));
        }

        query = latestFirst
            ? query.OrderByDescending(r => r.SortAt).ThenByDescending(r => r.Ticket.Id)
            : query.OrderBy(r => r.SortAt).ThenBy(r => r.Ticket.Id);
        var rows = await query.Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, r => (r.SortAt, r.Ticket.Id), r => ToResponse(r.Ticket, r.Event)));
    }

    private static async Task<Ok<TicketResponse>> GetTicket(Guid ticketId, Caller caller, TicketsDbContext db, CancellationToken cancellationToken)
    {
        var row = await Mine(db, caller).SingleOrDefaultAsync(r => r.Ticket.Id == ticketId, cancellationToken) ?? throw TicketsProblems.TicketNotFound();
        return TypedResults.Ok(ToResponse(row.Ticket, row.Event));
    }

    private static async Task<FileContentHttpResult> GetTicketQrCode(Guid ticketId, string? format, Caller caller, [AsParameters] CodeServices services,
        HttpContext http, CancellationToken cancellationToken)
    {
        var svg = QrImages.IsSvg(format);
        var row = await ActiveAsync(services.Db, caller, ticketId, cancellationToken);
        var stepSeconds = services.Options.Value.CodeStepSeconds;
        var now = services.Time.GetUtcNow();
        var step = TicketCode.Step(now, stepSeconds);
        var payload = TotpCode.Current(row.Ticket.Id, EventKeys.TicketSecret(services.Protector, row.Event, row.Ticket), now, stepSeconds);

        // A code is worth something for seconds; no cache keeps it, and the app knows when to fetch the next.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Code-Expires"] = TicketCode.StepEndsAt(step, stepSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return QrImages.Render(payload, svg);
    }

    private static async Task<Ok<OfflineCodeResponse>> GetOfflineCode(Guid ticketId, Caller caller, [AsParameters] CodeServices services, HttpContext http,
        CancellationToken cancellationToken)
    {
        var row = await ActiveAsync(services.Db, caller, ticketId, cancellationToken);
        var secret = EventKeys.TicketSecret(services.Protector, row.Event, row.Ticket);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new OfflineCodeResponse(row.Ticket.Id, Base64Url.EncodeToString(secret),
            row.Ticket.SecretVersion, TotpCode.Algorithm, TotpCode.PayloadFormat,
            $"totpKey = first {TotpCode.KeySize} bytes of HMAC-SHA256(secret, \"{TotpCode.KeyLabel}\" 0x00 ticketId[16, RFC 4122 order]); "
                + $"totp = RFC 6238 TOTP(totpKey, SHA-1, {TotpCode.Digits} digits, period stepSeconds, T0 = 0) at unixSeconds",
            TotpCode.Digits, services.Options.Value.CodeStepSeconds, row.Event.EndsAt + services.Options.Value.ExpiryGrace));
    }

    private static async Task<Ok<List<PassEntry>>> ListMyPasses(Caller caller, TicketsDbContext db, CancellationToken cancellationToken)
    {
        var rows = await Mine(db, caller).Where(r => r.Ticket.PassId != null).OrderBy(r => r.SortAt).ThenBy(r => r.Ticket.Id)
            .Take(MaximumPassTickets).ToListAsync(cancellationToken);
        // A pass bought twice is two entries: the tickets of one purchase belong together (and move together).
        return TypedResults.Ok(rows.GroupBy(r => (r.Ticket.PassId!.Value, r.Ticket.OrderId))
            .Select(g => new PassEntry(g.Key.Value, g.First().Ticket.PassName!, g.Key.OrderId, g.First().Ticket.OrderNumber,
                [.. g.Select(r => ToResponse(r.Ticket, r.Event))]))
            .ToList());
    }

    /// <summary>The caller's tickets with their events; anything else does not exist for them.</summary>
    private static IQueryable<Row> Mine(TicketsDbContext db, Caller caller)
    {
        var owner = caller.RequiredUserId;
        return from t in db.Tickets.AsNoTracking()
               join e in db.Events.AsNoTracking() on t.EventId equals e.Id
               where t.OwnerId == owner
               select new Row { Ticket = t, Event = e, SortAt = e.StartsAt ?? t.IssuedAt };
    }

    private static async Task<Row> ActiveAsync(TicketsDbContext db, Caller caller, Guid ticketId, CancellationToken cancellationToken)
    {
        var row = await Mine(db, caller).SingleOrDefaultAsync(r => r.Ticket.Id == ticketId, cancellationToken) ?? throw TicketsProblems.TicketNotFound();
        return row.Ticket.Status != TicketStatus.Active ? throw TicketsProblems.TicketNotActive(row.Ticket.Status)
            : row.Ticket.LockReason == TicketLockReasons.WillCall ? throw TicketsProblems.HeldForPickup()
            : row;
    }

    private static TicketResponse ToResponse(Ticket t, Event e) => new(
        t.Id, TicketLifecycle.Name(t.Status),
        new EventSummary(e.Id, e.Name, e.StartsAt, e.EndsAt, e.TimeZone, e.VenueId is { } venueId ? new VenueSummary(venueId, e.VenueName, e.VenueCity) : null, e.CancelledAt is not null),
        new TicketTypeSummary(t.TicketTypeId, t.TicketTypeName),
        t.SeatId is { } seatId ? new SeatSummary(seatId, t.Section, t.SeatRow, t.SeatNumber, t.PriceZone) : null,
        t.FaceValue, t.Currency, t.OrderId, t.OrderNumber, t.IssuedAt, t.ActivatedAt, t.StatusChangedAt,
        t.PassId is { } passId ? new PassSummary(passId, t.PassName!) : null);
}
