using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Catalog.Data;
using TicketToken.Catalog.Domain;

namespace TicketToken.Catalog.Apis;

/// <summary>
/// The seat maps of a venue: price zones, sections, rows and seats. Created from a JSON document or imported in bulk
/// from CSV or JSON; a body with any error is refused whole, each error with its line. A seat map an announced event
/// uses is frozen, because inventory sells exactly the seats it was told about.
/// </summary>
public static class SeatMapsApi
{
    public static RouteGroupBuilder MapSeatMapsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/venues/{venueId:guid}/seatmaps").WithTags("Seat maps").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapPost("/", CreateSeatMap).WithName("CreateSeatMap")
            .WithSummary("Creates a seat map from a JSON document (price zones, sections → rows → seats); errors name their line.")
            .Accepts<SeatMapRequest>("application/json")
            .WithRequestBodyLimit(SeatMapLimits.MaximumBodyBytes + 1)
            .WithJsonRequestExample(CatalogExamples.SeatMap)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/import", ImportSeatMap).WithName("ImportSeatMap")
            .WithSummary("Imports a seat map from CSV (header section,row,seat,zone,accessible,companion,blocked,x,y) or a JSON array of the same records; errors name their line.")
            .Accepts<SeatImportRequest>("application/json", "text/csv")
            .WithRequestBodyLimit(SeatMapLimits.MaximumBodyBytes + 1)
            .WithSeatImportExamples()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/pretix", ImportPretixPlan).WithName("ImportPretixSeatingPlan")
            .WithSummary("Imports a pretix seating plan (pretix's seating-plan.schema.json: zones of rows of seats with categories, area shapes such as the stage); zones with rows become sections, categories price zones. Problems answer 422, each with the JSON path of the bad element.")
            .Accepts<JsonObject>("application/json")
            .WithRequestBodyLimit(SeatMapLimits.MaximumBodyBytes + 1)
            .WithJsonRequestExample(CatalogExamples.PretixPlan)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{seatMapId:guid}/pretix", ExportPretixPlan).WithName("ExportPretixSeatingPlan")
            .WithSummary("The seat map as a pretix seating plan; a plan imported from pretix comes back with its zones' positions and area shapes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListSeatMaps).WithName("ListSeatMaps").WithSummary("Lists the venue's seat maps, newest first (cursor pagination).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{seatMapId:guid}", GetSeatMap).WithName("GetSeatMap")
            .WithSummary("Reads a seat map with its price zones and every section, row (in order from the stage) and seat.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{seatMapId:guid}", ReplaceSeatMap).WithName("ReplaceSeatMap")
            .WithSummary("Replaces a seat map's contents with a JSON document; refused while an announced event uses it.")
            .Accepts<SeatMapRequest>("application/json")
            .WithRequestBodyLimit(SeatMapLimits.MaximumBodyBytes + 1)
            .WithJsonRequestExample(CatalogExamples.SeatMap)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapDelete("/{seatMapId:guid}", DeleteSeatMap).WithName("DeleteSeatMap")
            .WithSummary("Deletes a seat map that no event uses.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    // The documented shapes of the request bodies; the handlers read the body themselves to report errors by line.
    public sealed record SeatMapRequest(string Name, IReadOnlyList<PriceZoneRequest>? PriceZones, IReadOnlyList<SectionRequest> Sections);

    public sealed record PriceZoneRequest(string Code, string? Name, string? Colour);

    public sealed record SectionRequest(string Code, string? Name, IReadOnlyList<RowRequest> Rows);

    public sealed record RowRequest(string Label, int? Index, IReadOnlyList<SeatRequest> Seats);

    public sealed record SeatRequest(string Number, string Zone, bool? Accessible, bool? Companion, bool? Blocked, double? X, double? Y);

    public sealed record SeatImportRequest(IReadOnlyList<PriceZoneRequest>? PriceZones, IReadOnlyList<SeatImportRecord> Seats);

    public sealed record SeatImportRecord(string Section, string Row, string Seat, string Zone, bool? Accessible, bool? Companion, bool? Blocked, double? X, double? Y);

    public sealed record SeatMapSummaryResponse(Guid Id, Guid VenueId, string Name, int SeatCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record SeatMapResponse(Guid Id, Guid VenueId, string Name, int SeatCount, IReadOnlyList<ZoneLayout> PriceZones,
        IReadOnlyList<SectionResponse> Sections, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record SectionResponse(string Code, string Name, IReadOnlyList<RowResponse> Rows);

    public sealed record RowResponse(string Label, int Index, IReadOnlyList<SeatResponse> Seats);

    /// <summary>A seat; <see cref="Id"/> is <c>{section}-{row}-{number}</c>, the id inventory and tickets use.</summary>
    public sealed record SeatResponse(string Id, string Number, string Zone, bool Accessible, bool Companion, bool Blocked, double X, double Y);

    private static async Task<Created<SeatMapSummaryResponse>> CreateSeatMap(Guid venueId, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var venue = await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var body = await ReadBodyAsync(request, json: true, cancellationToken);
        var errors = new SeatMapErrors();
        var draft = SeatMapJson.ParseDocument(body, errors, out var name);
        return await CreateAsync(db, venue, name, draft, errors, time, cancellationToken);
    }

    private static async Task<Created<SeatMapSummaryResponse>> ImportSeatMap(
        Guid venueId, [Required, StringLength(200, MinimumLength = 1)] string name, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var venue = await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var csv = IsMediaType(request, "text/csv");
        var body = await ReadBodyAsync(request, json: !csv, cancellationToken);
        var errors = new SeatMapErrors();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(null, "name", "The query parameter name names the seat map.");
        }

        var draft = csv ? CsvText(body, errors) is { } text ? SeatMapDraft.FromRecords(SeatMapCsv.Parse(text, errors), zones: null) : null
            : SeatMapJson.ParseRecords(body, errors);
        return await CreateAsync(db, venue, name, draft, errors, time, cancellationToken);
    }

    private static async Task<Created<SeatMapSummaryResponse>> ImportPretixPlan(
        Guid venueId, [StringLength(200)] string? name, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var venue = await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var body = await ReadBodyAsync(request, json: true, cancellationToken);
        if (TextInput.IndexOfInvalidUtf8(body) >= 0)
        {
            throw CatalogProblems.InvalidJson();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw CatalogProblems.InvalidJson();
        }

        using (document)
        {
            var problems = new List<PlanProblem>();
            var (draft, shapes, planName) = PretixSeatingPlan.Read(document.RootElement, problems);
            var errors = new SeatMapErrors();
            var layout = draft is null ? null : SeatMapRules.Validate(draft, errors);
            problems.AddRange(errors.Reported.Select(e => new PlanProblem("$", e.Message)));
            var chosen = string.IsNullOrWhiteSpace(name) ? planName?.Trim() : name.Trim();
            if (chosen is null or { Length: 0 or > 200 })
            {
                problems.Add(new PlanProblem("$.name", "The plan needs a name of 1 to 200 characters (or pass ?name=)."));
            }

            if (layout is null || problems.Count > 0)
            {
                throw CatalogProblems.InvalidPretixPlan(problems);
            }

            var now = time.GetUtcNow();
            var seatMap = new SeatMap
            {
                Id = Guid.CreateVersion7(), VenueId = venue.Id, Name = chosen!, SeatCount = layout.SeatCount, CreatedAt = now, UpdatedAt = now,
                Shapes = JsonSerializer.Serialize(shapes, ShapesJson),
            };
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.SeatMaps.Add(seatMap);
            await SeatMapStore.WriteAsync(db, seatMap.Id, layout, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/venues/{venue.Id}/seatmaps/{seatMap.Id}", ToSummary(seatMap));
        }
    }

    private static async Task<Ok<JsonObject>> ExportPretixPlan(Guid venueId, Guid seatMapId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var seatMap = await db.SeatMaps.AsNoTracking().SingleOrDefaultAsync(m => m.Id == seatMapId && m.VenueId == venueId, cancellationToken)
            ?? throw CatalogProblems.SeatMapNotFound();
        var layout = await SeatMapStore.ReadAsync(db, seatMapId, cancellationToken);
        var shapes = seatMap.Shapes is null ? null : JsonSerializer.Deserialize<PlanShapes>(seatMap.Shapes, ShapesJson);
        return TypedResults.Ok(PretixSeatingPlan.Write(seatMap.Name, layout, shapes));
    }

    private static readonly JsonSerializerOptions ShapesJson = new(JsonSerializerDefaults.Web);

    private static async Task<Ok<Page<SeatMapSummaryResponse>>> ListSeatMaps(Guid venueId, string? cursor, int? limit, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var take = PageCursor.Limit(limit);
        var query = db.SeatMaps.AsNoTracking().Where(m => m.VenueId == venueId);
        if (PageCursor.Decode(cursor) is var (at, after))
        {
            query = query.Where(m => m.CreatedAt < at || (m.CreatedAt == at && m.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(take + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(PageCursor.Build(rows, take, m => (m.CreatedAt, m.Id), ToSummary));
    }

    private static async Task<Ok<SeatMapResponse>> GetSeatMap(Guid venueId, Guid seatMapId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var seatMap = await db.SeatMaps.AsNoTracking().SingleOrDefaultAsync(m => m.Id == seatMapId && m.VenueId == venueId, cancellationToken)
            ?? throw CatalogProblems.SeatMapNotFound();
        var layout = await SeatMapStore.ReadAsync(db, seatMapId, cancellationToken);
        return TypedResults.Ok(new SeatMapResponse(seatMap.Id, seatMap.VenueId, seatMap.Name, seatMap.SeatCount, layout.Zones,
            layout.Project(
                (section, rows) => new SectionResponse(section.Code, section.Name, rows),
                (row, seats) => new RowResponse(row.Label, row.Index, seats),
                (id, seat) => new SeatResponse(id, seat.Number, seat.Zone, seat.Accessible, seat.Companion, seat.Blocked, seat.X, seat.Y)),
            seatMap.CreatedAt, seatMap.UpdatedAt));
    }

    private static async Task<Ok<SeatMapSummaryResponse>> ReplaceSeatMap(Guid venueId, Guid seatMapId, HttpRequest request, Caller caller, CatalogDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        var body = await ReadBodyAsync(request, json: true, cancellationToken);
        var errors = new SeatMapErrors();
        var draft = SeatMapJson.ParseDocument(body, errors, out var name);
        var layout = draft is null ? null : SeatMapRules.Validate(draft, errors);
        if (layout is null)
        {
            throw CatalogProblems.InvalidSeatMap(errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var seatMap = await LockAsync(db, venueId, seatMapId, cancellationToken);
        if (await db.Events.AnyAsync(e => e.SeatMapId == seatMapId
                && (e.Status == EventStatus.Published || e.Status == EventStatus.OnSale || e.Status == EventStatus.Completed), cancellationToken))
        {
            throw CatalogProblems.SeatMapInUse("An announced event uses this seat map; create a new seat map instead.");
        }

        await SeatMapStore.ClearAsync(db, seatMapId, cancellationToken);
        seatMap.Name = name!.Trim();
        // Shapes drawn around the old seats (a pretix import's stage and areas) need not fit the new ones.
        seatMap.Shapes = null;
        seatMap.SeatCount = layout.SeatCount;
        seatMap.UpdatedAt = time.GetUtcNow();
        await SeatMapStore.WriteAsync(db, seatMapId, layout, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToSummary(seatMap));
    }

    private static async Task<NoContent> DeleteSeatMap(Guid venueId, Guid seatMapId, Caller caller, CatalogDbContext db, CancellationToken cancellationToken)
    {
        await VenuesApi.AdministeredAsync(db, caller, venueId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var seatMap = await LockAsync(db, venueId, seatMapId, cancellationToken);
        if (await db.Events.AnyAsync(e => e.SeatMapId == seatMapId, cancellationToken))
        {
            throw CatalogProblems.SeatMapInUse("Events (drafts and cancelled ones included) refer to this seat map.");
        }

        db.SeatMaps.Remove(seatMap);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<SeatMapSummaryResponse>> CreateAsync(
        CatalogDbContext db, Venue venue, string? name, SeatMapDraft? draft, SeatMapErrors errors, TimeProvider time, CancellationToken cancellationToken)
    {
        var layout = draft is null ? null : SeatMapRules.Validate(draft, errors);
        if (layout is null)
        {
            throw CatalogProblems.InvalidSeatMap(errors);
        }

        var now = time.GetUtcNow();
        var seatMap = new SeatMap { Id = Guid.CreateVersion7(), VenueId = venue.Id, Name = name!.Trim(), SeatCount = layout.SeatCount, CreatedAt = now, UpdatedAt = now };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.SeatMaps.Add(seatMap);
        await SeatMapStore.WriteAsync(db, seatMap.Id, layout, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/venues/{venue.Id}/seatmaps/{seatMap.Id}", ToSummary(seatMap));
    }

    /// <summary>The seat map, locked against a concurrent publish (which takes a share lock on it) until the transaction ends.</summary>
    private static async Task<SeatMap> LockAsync(CatalogDbContext db, Guid venueId, Guid seatMapId, CancellationToken cancellationToken)
    {
        var locked = await db.SeatMaps
            .FromSql($"select * from catalog.seat_maps where id = {seatMapId} and venue_id = {venueId} for update")
            .ToListAsync(cancellationToken);
        return locked.SingleOrDefault() ?? throw CatalogProblems.SeatMapNotFound();
    }

    private static bool IsMediaType(HttpRequest request, string mediaType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
        && string.Equals(parsed.MediaType.Value, mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The CSV as text, or null (with the line of the fault) when it is not UTF-8 or carries control characters.</summary>
    private static string? CsvText(byte[] body, SeatMapErrors errors)
    {
        if (TextInput.IndexOfInvalidUtf8(body) is var invalid and >= 0)
        {
            errors.Add(1 + body.AsSpan(0, invalid).Count((byte)'\n'), null, "The CSV is not valid UTF-8 text.");
            return null;
        }

        var text = Encoding.UTF8.GetString(body);
        if (TextInput.IndexOfProblem(text, out var problem) is var at and >= 0)
        {
            errors.Add(1 + text.AsSpan(0, at).Count('\n'), null, $"The CSV {problem}.");
            return null;
        }

        return text;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, bool json, CancellationToken cancellationToken)
    {
        if (json && !IsMediaType(request, "application/json"))
        {
            throw CatalogProblems.UnsupportedMediaType();
        }

        if (request.ContentLength > SeatMapLimits.MaximumBodyBytes)
        {
            throw CatalogProblems.PayloadTooLarge();
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > SeatMapLimits.MaximumBodyBytes)
            {
                throw CatalogProblems.PayloadTooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static SeatMapSummaryResponse ToSummary(SeatMap seatMap) =>
        new(seatMap.Id, seatMap.VenueId, seatMap.Name, seatMap.SeatCount, seatMap.CreatedAt, seatMap.UpdatedAt);
}
