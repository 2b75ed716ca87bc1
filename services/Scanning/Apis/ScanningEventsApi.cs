using System.Buffers;
using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using Npgsql;
using TicketToken.BuildingBlocks.Serialization;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.Contracts.Tickets;
using TicketToken.Scanning.Data;
using TicketToken.Scanning.Domain;

namespace TicketToken.Scanning.Apis;

/// <summary>
/// An event's gates, for the organizer (policy, conflicts, live statistics) and for its devices (the offline manifest
/// and the key it is signed with). Under <c>/api/scanning</c>, since <c>/api/events</c> is catalog's prefix at the ingress.
/// </summary>
public static class ScanningEventsApi
{
    public const string SignatureHeader = "X-Manifest-Signature";

    public static RouteGroupBuilder MapScanningEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/scanning").WithTags("Scanning");
        group.MapGet("/policy-templates", ListTemplates).RequireAuthorization(Policies.OrganizerAdmin).WithName("ListScanPolicyTemplates")
            .WithSummary("The scan policy templates (Standard, Festival, Concert, Conference, VIP) and their rules.");
        group.MapGet("/events/{eventId:guid}/policy", GetPolicy).RequireAuthorization(Policies.OrganizerAdmin).WithName("GetScanPolicy")
            .WithSummary("The event's scan policy (Standard unless the organizer chose another).")
            .Problems(ScanningProblems.EventNotFound);
        group.MapPut("/events/{eventId:guid}/policy", PutPolicy).RequireAuthorization(Policies.OrganizerAdmin).WithName("SetScanPolicy")
            .WithSummary("Sets the event's scan policy from a template, optionally with rules of its own (then it is custom).")
            .Problems(ScanningProblems.EventNotFound, () => ScanningProblems.InvalidPolicy("a b"), () => ScanningProblems.UnknownTemplate("a b"));
        group.MapGet("/events/{eventId:guid}/manifest", GetManifest).RequireAuthorization(Policies.Scanner).WithName("GetScanManifest")
            .WithSummary("A signed manifest for scanning without a network: tickets, their zones, statuses and verification secrets, the policy, and an expiry.")
            .Problems(ScanningProblems.DeviceInactive, ScanningProblems.EntryKeyUnavailable, ScanningProblems.EventNotFound);
        group.MapGet("/keys", GetKeys).RequireAuthorization(Policies.Scanner).WithName("GetScanManifestKeys")
            .WithSummary("The public keys manifests are signed with (JWKS).");
        group.MapGet("/events/{eventId:guid}/conflicts", ListConflicts).RequireAuthorization(Policies.BoxOffice).WithName("ListScanConflicts")
            .WithSummary("Admissions made offline that the policy would have refused (the same ticket let in on two devices), earliest first.")
            .Problems(ScanningProblems.EventNotFound);
        group.MapGet("/events/{eventId:guid}/stats", GetStats).RequireAuthorization(Policies.BoxOffice).WithName("GetGateStats")
            .WithSummary("Live gate statistics: admitted, exits, denied by reason, per gate and per minute.")
            .Problems(ScanningProblems.EventNotFound);
        return group;
    }

    /// <summary>
    /// A policy: a <see cref="Template"/> (standard, festival, concert, conference, vip, or custom, which starts from
    /// standard), and any rule given here instead of the template's (which makes it custom). Turning re-entry on where the
    /// template had none makes it unlimited unless <see cref="MaxReentries"/> says otherwise.
    /// </summary>
    public sealed record PolicyRequest(
        [property: Required] string Template,
        [property: Range(0, 24 * 60)] int? DuplicateWindowMinutes = null,
        bool? ReentryAllowed = null,
        [property: Range(0, 1000)] int? MaxReentries = null,
        bool? UnlimitedReentries = null,
        bool? StrictZones = null,
        bool? VipAllAccess = null,
        [property: Range(0, 7 * 24 * 60)] int? CheckInOpensMinutesBefore = null,
        [property: Range(0, 7 * 24 * 60)] int? CheckInClosesMinutesAfter = null);

    public sealed record PolicyResponse(Guid EventId, ScanPolicy Policy, DateTimeOffset CheckInOpensAt, DateTimeOffset CheckInClosesAt);

    public sealed record ConflictsResponse(Guid EventId, IReadOnlyList<ScansApi.ConflictResponse> Conflicts);

    public sealed record GateStats(string Gate, long Admitted, long Exits, long Denied);

    public sealed record MinuteStats(DateTimeOffset Minute, long Admitted, long Exits, long Denied);

    public sealed record StatsResponse(Guid EventId, long Admitted, long Exits, long Denied, long Conflicts, IReadOnlyDictionary<string, long> DeniedByReason,
        IReadOnlyList<GateStats> Gates, IReadOnlyList<MinuteStats> PerMinute);

    [SkipValidation] // services, not input
    public sealed record ManifestServices(GateViews Views, ManifestSigner Signer, TimeProvider Time, IOptions<ScanningOptions> Options);

    private static Ok<IReadOnlyCollection<ScanPolicy>> ListTemplates() => TypedResults.Ok((IReadOnlyCollection<ScanPolicy>)ScanPolicy.Templates.Values.ToList());

    private static async Task<Ok<PolicyResponse>> GetPolicy(Guid eventId, Caller caller, ScanningDbContext db, CancellationToken cancellationToken)
    {
        var @event = await AdministeredAsync(db, caller, eventId, cancellationToken);
        var row = await db.ScanPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.EventId == eventId, cancellationToken);
        var policy = row is null ? ScanPolicy.Default : JsonSerializer.Deserialize<ScanPolicy>(row.Rules, RuntimeJson.Options)!;
        return TypedResults.Ok(Response(@event, policy));
    }

    private static async Task<Ok<PolicyResponse>> PutPolicy(Guid eventId, PolicyRequest request, Caller caller, ScanningDbContext db, GateViews views, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var @event = await AdministeredAsync(db, caller, eventId, cancellationToken);
        var template = request.Template.Trim().ToLowerInvariant();
        var basis = template == ScanPolicy.Custom ? ScanPolicy.Default
            : ScanPolicy.Templates.GetValueOrDefault(template) ?? throw ScanningProblems.UnknownTemplate(request.Template);
        var custom = template == ScanPolicy.Custom || request.DuplicateWindowMinutes is not null || request.ReentryAllowed is not null
            || request.MaxReentries is not null || request.UnlimitedReentries is not null || request.StrictZones is not null || request.VipAllAccess is not null;
        var reentryAllowed = request.ReentryAllowed ?? basis.ReentryAllowed;
        var maxReentries = request.UnlimitedReentries == true ? null : request.MaxReentries ?? (request.ReentryAllowed == true && basis.MaxReentries == 0 ? null : basis.MaxReentries);
        if (request.UnlimitedReentries == true && request.MaxReentries is not null)
        {
            throw ScanningProblems.InvalidPolicy("Give maxReentries or unlimitedReentries, not both.");
        }

        if (!reentryAllowed)
        {
            if (maxReentries is > 0 || request.UnlimitedReentries == true)
            {
                throw ScanningProblems.InvalidPolicy("Re-entries cannot be counted when re-entry is not allowed.");
            }

            maxReentries = 0;
        }

        var policy = new ScanPolicy(custom ? ScanPolicy.Custom : template, request.DuplicateWindowMinutes ?? basis.DuplicateWindowMinutes, reentryAllowed, maxReentries,
            request.StrictZones ?? basis.StrictZones, request.VipAllAccess ?? basis.VipAllAccess,
            request.CheckInOpensMinutesBefore ?? basis.CheckInOpensMinutesBefore, request.CheckInClosesMinutesAfter ?? basis.CheckInClosesMinutesAfter);
        var rules = JsonSerializer.Serialize(policy, RuntimeJson.Options);
        var now = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            insert into scanning.scan_policies (event_id, template, rules, updated_by, updated_at) values ({eventId}, {policy.Template}, {rules}::jsonb, {caller.RequiredUserId}, {now})
            on conflict (event_id) do update set template = excluded.template, rules = excluded.rules, updated_by = excluded.updated_by, updated_at = excluded.updated_at
            """, cancellationToken);
        views.Forget(eventId);
        return TypedResults.Ok(Response(@event, policy));
    }

    private static async Task<IResult> GetManifest(Guid eventId, Caller caller, [AsParameters] ManifestServices services, HttpContext http,
        CancellationToken cancellationToken)
    {
        var device = await services.Views.DeviceAsync(caller.DeviceId ?? Guid.Empty, cancellationToken);
        if (device is not { Active: true })
        {
            throw ScanningProblems.DeviceInactive();
        }

        var view = await services.Views.EventAsync(eventId, cancellationToken);
        if (view is null || view.OrganizerId != device.OrganizerId || view.VenueId != device.VenueId)
        {
            throw ScanningProblems.EventNotFound();
        }

        EntryKey key;
        try
        {
            key = await services.Views.KeyAsync(view, cancellationToken);
        }
        catch (EntryKeyUnavailableException)
        {
            throw ScanningProblems.EntryKeyUnavailable();
        }

        // At doors-open every device of the venue asks at once: one manifest serves them all until a ticket changes or it
        // is ManifestReuse old (its issue time is then that old; its expiry is counted from it).
        var now = services.Time.GetUtcNow();
        var changes = view.TicketChanges;
        if (view.Manifest is not { } made || made.TicketChanges != changes || now - made.MadeAt > services.Options.Value.ManifestReuse)
        {
            var body = ManifestWriter.Write(view, key, now, services.Options.Value).WrittenMemory.ToArray();
            made = (body, await services.Signer.SignAsync(body, cancellationToken), now, changes);
            view.Manifest = made;
        }

        http.Response.Headers[SignatureHeader] = made.Signature;
        http.Response.Headers.CacheControl = "no-store"; // it carries ticket secrets
        return TypedResults.Bytes(made.Body, "application/json");
    }

    private static async Task<Ok<JsonObject>> GetKeys(ManifestSigner signer, CancellationToken cancellationToken) =>
        TypedResults.Ok(await signer.KeySetAsync(cancellationToken));

    private static async Task<Ok<ConflictsResponse>> ListConflicts(Guid eventId, Caller caller, ScanningDbContext db, CancellationToken cancellationToken)
    {
        await StaffAsync(db, caller, eventId, cancellationToken);
        var conflicts = await db.Conflicts.AsNoTracking().Where(c => c.EventId == eventId).OrderBy(c => c.ScannedAt).ThenBy(c => c.ScanId).Take(1000)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new ConflictsResponse(eventId, [.. conflicts.Select(c => new ScansApi.ConflictResponse(c.ScanId, c.TicketId, c.DeviceId, c.ScannedAt,
            c.Reason, c.FirstScanId, c.FirstDeviceId, c.FirstScannedAt))]));
    }

    private static async Task<Ok<StatsResponse>> GetStats(Guid eventId, Caller caller, ScanningDbContext db, [FromKeyedServices(ScanningModule.Id)] NpgsqlDataSource dataSource,
        CancellationToken cancellationToken)
    {
        await StaffAsync(db, caller, eventId, cancellationToken);
        const string Counts = "count(*) filter (where allowed and direction = 'entry'), count(*) filter (where allowed and direction = 'exit'), count(*) filter (where not allowed)";
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select {Counts}, (select count(*) from scanning.conflicts where event_id = $1) from scanning.scans where event_id = $1"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select reason, count(*) from scanning.scans where event_id = $1 and not allowed group by reason order by 2 desc, 1"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select gate, {Counts} from scanning.scans where event_id = $1 group by gate order by gate"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            $"select date_trunc('minute', scanned_at), {Counts} from scanning.scans where event_id = $1 group by 1 order by 1 desc limit 1440"));
        foreach (var command in batch.BatchCommands)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = eventId });
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (admitted, exits, denied, conflicts) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        await reader.NextResultAsync(cancellationToken);
        var byReason = new Dictionary<string, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            byReason[reader.GetString(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync(cancellationToken);
        var gates = new List<GateStats>();
        while (await reader.ReadAsync(cancellationToken))
        {
            gates.Add(new GateStats(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        var minutes = new List<MinuteStats>();
        while (await reader.ReadAsync(cancellationToken))
        {
            minutes.Add(new MinuteStats(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        minutes.Reverse();
        return TypedResults.Ok(new StatsResponse(eventId, admitted, exits, denied, conflicts, byReason, gates, minutes));
    }

    private static PolicyResponse Response(ScanEvent @event, ScanPolicy policy) =>
        new(@event.Id, policy, @event.StartsAt.AddMinutes(-policy.CheckInOpensMinutesBefore), @event.EndsAt.AddMinutes(policy.CheckInClosesMinutesAfter));

    private static async Task<ScanEvent> AdministeredAsync(ScanningDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        return @event is not null && caller.Administers(@event.OrganizerId) ? @event : throw ScanningProblems.EventNotFound();
    }

    private static async Task<ScanEvent> StaffAsync(ScanningDbContext db, Caller caller, Guid eventId, CancellationToken cancellationToken)
    {
        var @event = await db.Events.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        return @event is not null && caller.WorksFor(@event.OrganizerId) ? @event : throw ScanningProblems.EventNotFound();
    }
}

/// <summary>
/// The manifest's JSON, written straight into a buffer: a 50,000-ticket event is some megabytes, and each ticket's
/// secret is derived here (never the event key itself). Secrets are given only for tickets that may enter.
/// </summary>
internal static class ManifestWriter
{
    // 2: the code block names every accepted form (TT1, TT2, TTP) and whether pass codes admit at this event.
    public const string Format = "tickettoken-manifest/2";

    public static ArrayBufferWriter<byte> Write(EventView view, EntryKey key, DateTimeOffset now, ScanningOptions options)
    {
        var expiresAt = now + options.ManifestLifetime < view.CheckInClosesAt ? now + options.ManifestLifetime : view.CheckInClosesAt;
        var buffer = new ArrayBufferWriter<byte>(64 * 1024 + view.Tickets.Count * 160);
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("eventId", view.Id);
        json.WriteString("organizerId", view.OrganizerId);
        json.WriteString("venueId", view.VenueId);
        json.WriteString("issuedAt", now);
        json.WriteString("expiresAt", expiresAt);
        json.WriteString("startsAt", view.StartsAt);
        json.WriteString("endsAt", view.EndsAt);
        json.WriteString("checkInOpensAt", view.CheckInOpensAt);
        json.WriteString("checkInClosesAt", view.CheckInClosesAt);
        json.WritePropertyName("policy");
        JsonSerializer.Serialize(json, view.Policy, RuntimeJson.Options);
        // Everything a device needs to check each form offline from a ticket's secret (Contracts/Tickets: TicketCode,
        // TotpCode, PassCode); the top-level algorithm, payloadFormat and macBytes are version 1's, as in format 1.
        json.WriteStartObject("code");
        json.WriteString("algorithm", TicketCode.Algorithm);
        json.WriteString("payloadFormat", TicketCode.PayloadFormat);
        json.WriteNumber("macBytes", TicketCode.MacSize);
        json.WriteNumber("stepSeconds", key.StepSeconds);
        json.WriteNumber("allowedSkewSteps", options.AllowedSkewSteps);
        json.WriteStartArray("versions");
        foreach (var version in EntryCodes.Versions)
        {
            json.WriteStringValue(version);
        }

        json.WriteEndArray();
        json.WriteStartObject("totp");
        json.WriteString("payloadFormat", TotpCode.PayloadFormat);
        json.WriteString("algorithm", TotpCode.Algorithm);
        json.WriteString("keyLabel", TotpCode.KeyLabel);
        json.WriteNumber("keyBytes", TotpCode.KeySize);
        json.WriteNumber("digits", TotpCode.Digits);
        json.WriteEndObject();
        json.WriteStartObject("pass");
        json.WriteString("payloadFormat", PassCode.PayloadFormat);
        json.WriteString("label", PassCode.Label);
        json.WriteBoolean("allowed", view.PassCodesAllowed);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("tickets");
        Span<byte> secretText = stackalloc byte[64];
        foreach (var ticket in view.Tickets.Values)
        {
            json.WriteStartObject();
            json.WriteString("id", ticket.Id);
            json.WriteString("status", ticket.Status);
            json.WriteString("zone", view.ZoneOf(ticket.TicketTypeId));
            json.WriteNumber("secretVersion", ticket.SecretVersion);
            json.WriteBoolean("locked", ticket.Locked);
            if (ticket.Status is TicketStatuses.Active or TicketStatuses.CheckedIn && !ticket.Locked)
            {
                var secret = TicketCode.DeriveSecret(key.Key, ticket.Id, ticket.SecretVersion);
                Base64Url.EncodeToUtf8(secret, secretText, out _, out var written);
                json.WriteString("secret"u8, secretText[..written]);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        return buffer;
    }
}
