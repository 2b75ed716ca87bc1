using System.ComponentModel.DataAnnotations;
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
using TicketToken.Contracts.Notifications;
using TicketToken.Notifications.Data;
using TicketToken.Notifications.Domain;

namespace TicketToken.Notifications.Apis;

/// <summary>
/// Organizers' webhook endpoints (their admins, or platform admins): register with the event types wanted, the signing secret shown
/// once (and on rotation), the delivery log with every attempt, replay, a test ping. Another organizer's endpoint is a 404.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/notifications/webhook-event-types", EventTypes).WithTags("Webhooks").RequireAuthorization(Policies.OrganizerAdmin)
            .WithName("ListWebhookEventTypes").WithSummary("Lists the event types a webhook endpoint can subscribe to.");
        var group = app.MapGroup("/api/notifications/organizers/{organizerId:guid}/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.OrganizerAdmin);
        group.MapPost("/", Create).WithName("CreateWebhookEndpoint")
            .WithSummary("Registers an endpoint for some event types; the answer carries its signing secret, shown only here.")
            .WithJsonRequestExamples(new RequestExample("orders", "Orders and refunds", """
                { "url": "https://hooks.example.com/tickettoken", "eventTypes": ["order.confirmed", "order.refunded"], "description": "Accounting" }
                """))
            .Problems(() => NotificationsProblems.InvalidUrl("a b"), NotificationsProblems.OrganizerNotFound, () => NotificationsProblems.TooManyEndpoints(0), () => NotificationsProblems.UnknownEventTypes([]), () => NotificationsProblems.UrlNotAllowed("a b"));
        group.MapGet("/", List).WithName("ListWebhookEndpoints").WithSummary("Lists the organizer's webhook endpoints.")
            .Problems(NotificationsProblems.OrganizerNotFound);
        group.MapGet("/{endpointId:guid}", Get).WithName("GetWebhookEndpoint").WithSummary("Reads one endpoint (without its secret).")
            .Problems(NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound);
        group.MapPatch("/{endpointId:guid}", Change).WithName("ChangeWebhookEndpoint")
            .WithSummary("Changes the URL, event types or description, or enables (after it was disabled) or disables the endpoint.")
            .Problems(NotificationsProblems.EndpointNotFound, () => NotificationsProblems.InvalidUrl("a b"), NotificationsProblems.OrganizerNotFound, () => NotificationsProblems.UnknownEventTypes([]), () => NotificationsProblems.UrlNotAllowed("a b"));
        group.MapDelete("/{endpointId:guid}", Delete).WithName("DeleteWebhookEndpoint").WithSummary("Deletes the endpoint and its delivery log.")
            .Problems(NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound);
        group.MapPost("/{endpointId:guid}/secret/rotate", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("Makes a new signing secret (shown only here); the old one keeps signing beside it for the hours asked (at most 24).")
            .Problems(NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound);
        group.MapPost("/{endpointId:guid}/ping", Ping).WithName("PingWebhookEndpoint")
            .WithSummary("Sends a signed test event (type ping) now and answers what the endpoint replied.")
            .Problems(NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound);
        group.MapGet("/{endpointId:guid}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("The delivery log: each event sent, newest first, with its attempts (request headers, response status and body, timing).")
            .Problems(NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound, PageCursor.InvalidCursor, PageCursor.InvalidLimit);
        group.MapPost("/{endpointId:guid}/deliveries/{deliveryId:guid}/replay", Replay).WithName("ReplayWebhookDelivery")
            .WithSummary("Sends a delivery again, with the same event id, and retries it like a new one.")
            .Problems(NotificationsProblems.DeliveryNotFound, NotificationsProblems.EndpointDisabled, NotificationsProblems.EndpointNotFound, NotificationsProblems.OrganizerNotFound);
        return app;
    }

    public sealed record CreateEndpointRequest(
        [property: Required, StringLength(2048)] string Url,
        [property: Required, MinLength(1), MaxLength(32)] IReadOnlyList<string> EventTypes,
        [property: StringLength(200)] string? Description);

    public sealed record ChangeEndpointRequest(
        [property: StringLength(2048)] string? Url,
        [property: MinLength(1), MaxLength(32)] IReadOnlyList<string>? EventTypes,
        [property: StringLength(200)] string? Description,
        bool? Enabled);

    public sealed record RotateSecretRequest([property: Range(0, 24)] int? KeepPreviousHours);

    /// <summary>An endpoint; <see cref="Secret"/> only in the answers that create it or rotate its secret.</summary>
    public sealed record EndpointResponse(Guid Id, Guid OrganizerId, string Url, string? Description, IReadOnlyList<string> EventTypes, bool Enabled,
        string? DisabledReason, DateTimeOffset? DisabledAt, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, string? Secret = null);

    public sealed record AttemptResponse(DateTimeOffset AttemptedAt, string Url, string RequestHeaders, int? ResponseStatus, string? ResponseBody, int DurationMs,
        string? Error);

    /// <summary>A delivery: <see cref="Status"/> is <c>pending</c> (retried until the retry window ends), <c>succeeded</c> or <c>failed</c>.</summary>
    public sealed record DeliveryResponse(Guid Id, string EventId, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? CompletedAt, string Payload, IReadOnlyList<AttemptResponse> AttemptLog);

    public sealed class DeliveryFilter
    {
        [FromQuery(Name = "status"), AllowedValues(null, DeliveryStatuses.Pending, DeliveryStatuses.Succeeded, DeliveryStatuses.Failed)]
        public string? Status { get; init; }

        [FromQuery(Name = "cursor")]
        public string? Cursor { get; init; }

        [FromQuery(Name = "limit")]
        public int? Limit { get; init; }
    }

    [SkipValidation] // services, not input
    public sealed record WebhookServices(NotificationsDbContext Db, [FromKeyedServices(NotificationsModule.Id)] SecretProtector Protector,
        [FromKeyedServices(NotificationsModule.Id)] TimeProvider Time, IOptions<NotificationsOptions> Options, WebhookSender Sender, NotificationSignals Signals);

    private static Ok<IReadOnlyList<string>> EventTypes() => TypedResults.Ok(WebhookEventTypes.All);

    private static async Task<Created<EndpointResponse>> Create(Guid organizerId, CreateEndpointRequest request, Caller caller, [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        Administered(caller, organizerId);
        var (db, options, now) = (services.Db, services.Options.Value.Webhooks, services.Time.GetUtcNow());
        var types = CheckTypes(request.EventTypes);
        var url = await CheckUrlAsync(request.Url, options, cancellationToken);
        if (await db.WebhookEndpoints.CountAsync(e => e.OrganizerId == organizerId, cancellationToken) >= options.MaxEndpointsPerOrganizer)
        {
            throw NotificationsProblems.TooManyEndpoints(options.MaxEndpointsPerOrganizer);
        }

        var secret = WebhookSignature.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.CreateVersion7(now),
            OrganizerId = organizerId,
            Url = url,
            Description = request.Description?.Trim(),
            EventTypes = types,
            Secret = services.Protector.Protect(Encoding.UTF8.GetBytes(secret)),
            CreatedBy = caller.RequiredUserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/notifications/organizers/{organizerId}/webhooks/{endpoint.Id}", ToResponse(endpoint) with { Secret = secret });
    }

    private static async Task<Ok<List<EndpointResponse>>> List(Guid organizerId, Caller caller, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        Administered(caller, organizerId);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.OrganizerId == organizerId).OrderBy(e => e.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(endpoints.Select(e => ToResponse(e)).ToList());
    }

    private static async Task<Ok<EndpointResponse>> Get(Guid organizerId, Guid endpointId, Caller caller, NotificationsDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToResponse(await FindAsync(db, caller, organizerId, endpointId, cancellationToken)));

    private static async Task<Ok<EndpointResponse>> Change(Guid organizerId, Guid endpointId, ChangeEndpointRequest request, Caller caller,
        [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(services.Db, caller, organizerId, endpointId, cancellationToken);
        if (request.Url is not null)
        {
            endpoint.Url = await CheckUrlAsync(request.Url, services.Options.Value.Webhooks, cancellationToken);
        }

        if (request.EventTypes is not null)
        {
            endpoint.EventTypes = CheckTypes(request.EventTypes);
        }

        if (request.Description is not null)
        {
            endpoint.Description = request.Description.Trim();
        }

        var now = services.Time.GetUtcNow();
        if (request.Enabled is { } enabled && enabled != endpoint.Enabled)
        {
            endpoint.Enabled = enabled;
            endpoint.DisabledAt = enabled ? null : now;
            endpoint.DisabledReason = enabled ? null : "disabled by the organizer";
        }

        endpoint.UpdatedAt = now;
        await services.Db.SaveChangesAsync(cancellationToken);
        services.Signals.Webhooks.Notify();
        return TypedResults.Ok(ToResponse(endpoint));
    }

    private static async Task<NoContent> Delete(Guid organizerId, Guid endpointId, Caller caller, NotificationsDbContext db, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, caller, organizerId, endpointId, cancellationToken);
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<EndpointResponse>> RotateSecret(Guid organizerId, Guid endpointId, RotateSecretRequest? request, Caller caller,
        [AsParameters] WebhookServices services, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(services.Db, caller, organizerId, endpointId, cancellationToken);
        var now = services.Time.GetUtcNow();
        var keep = TimeSpan.FromHours(request?.KeepPreviousHours ?? 24);
        keep = keep > services.Options.Value.Webhooks.MaxPreviousSecretLifetime ? services.Options.Value.Webhooks.MaxPreviousSecretLifetime : keep;
        var secret = WebhookSignature.NewSecret();
        endpoint.PreviousSecret = keep > TimeSpan.Zero ? endpoint.Secret : null;
        endpoint.PreviousSecretExpiresAt = keep > TimeSpan.Zero ? now + keep : null;
        endpoint.Secret = services.Protector.Protect(Encoding.UTF8.GetBytes(secret));
        endpoint.UpdatedAt = now;
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(endpoint) with { Secret = secret });
    }

    private static async Task<Ok<DeliveryResponse>> Ping(Guid organizerId, Guid endpointId, Caller caller, [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        var (db, now) = (services.Db, services.Time.GetUtcNow());
        var endpoint = await FindAsync(db, caller, organizerId, endpointId, cancellationToken);
        var eventId = "evt_ping_" + Guid.NewGuid().ToString("N")[..16];
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(now),
            EndpointId = endpoint.Id,
            EventId = eventId,
            EventType = WebhookEventTypes.Ping,
            Payload = Notifier.WebhookPayload(eventId, WebhookEventTypes.Ping, organizerId, now, new { endpointId = endpoint.Id, message = "A test event from TicketToken." }),
            Status = DeliveryStatuses.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        // One attempt, now, even for a disabled endpoint (checking a receiver before enabling it again is what a ping is for); never retried.
        var attempt = await services.Sender.AttemptAsync(endpoint, delivery, services.Protector, now, cancellationToken);
        delivery.Attempts = 1;
        delivery.FirstAttemptAt = now;
        delivery.LastStatusCode = attempt.ResponseStatus;
        delivery.LastError = attempt.Error;
        delivery.Status = attempt.Error is null ? DeliveryStatuses.Succeeded : DeliveryStatuses.Failed;
        delivery.CompletedAt = now;
        db.WebhookDeliveries.Add(delivery);
        db.WebhookAttempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ToResponse(delivery, [attempt]));
    }

    private static async Task<Ok<Page<DeliveryResponse>>> Deliveries(Guid organizerId, Guid endpointId, [AsParameters] DeliveryFilter filter, Caller caller,
        NotificationsDbContext db, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, caller, organizerId, endpointId, cancellationToken);
        var take = PageCursor.Limit(filter.Limit);
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpoint.Id);
        if (filter.Status is { Length: > 0 } status)
        {
            query = query.Where(d => d.Status == status);
        }

        if (PageCursor.Decode(filter.Cursor) is var (at, after))
        {
            query = query.Where(d => d.CreatedAt < at || (d.CreatedAt == at && d.Id.CompareTo(after) < 0));
        }

        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.AttemptedAt).ToListAsync(cancellationToken))
            .ToLookup(a => a.DeliveryId);
        return TypedResults.Ok(PageCursor.Build(rows, take, d => (d.CreatedAt, d.Id), d => ToResponse(d, [.. attempts[d.Id]])));
    }

    private static async Task<Accepted<DeliveryResponse>> Replay(Guid organizerId, Guid endpointId, Guid deliveryId, Caller caller, [AsParameters] WebhookServices services,
        CancellationToken cancellationToken)
    {
        var db = services.Db;
        var endpoint = await FindAsync(db, caller, organizerId, endpointId, cancellationToken);
        if (!endpoint.Enabled)
        {
            throw NotificationsProblems.EndpointDisabled();
        }

        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == endpoint.Id, cancellationToken)
            ?? throw NotificationsProblems.DeliveryNotFound();
        var now = services.Time.GetUtcNow();
        delivery.Status = DeliveryStatuses.Pending;
        delivery.NextAttemptAt = now;
        delivery.FirstAttemptAt = null; // a replay gets its own retry window
        delivery.CompletedAt = null;
        delivery.LockedUntil = null;
        await db.SaveChangesAsync(cancellationToken);
        services.Signals.Webhooks.Notify();
        return TypedResults.Accepted($"/api/notifications/organizers/{organizerId}/webhooks/{endpointId}/deliveries", ToResponse(delivery, []));
    }

    private static void Administered(Caller caller, Guid organizerId)
    {
        if (!caller.Administers(organizerId))
        {
            throw NotificationsProblems.OrganizerNotFound();
        }
    }

    private static async Task<WebhookEndpoint> FindAsync(NotificationsDbContext db, Caller caller, Guid organizerId, Guid endpointId, CancellationToken cancellationToken)
    {
        Administered(caller, organizerId);
        return await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId && e.OrganizerId == organizerId, cancellationToken)
            ?? throw NotificationsProblems.EndpointNotFound();
    }

    private static string[] CheckTypes(IReadOnlyList<string> types)
    {
        var unknown = types.Where(t => !WebhookEventTypes.All.Contains(t)).Distinct().ToList();
        return unknown.Count > 0 ? throw NotificationsProblems.UnknownEventTypes(unknown) : [.. types.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>An absolute http(s) URL without credentials, whose host resolves only to addresses webhooks may go to.</summary>
    private static async Task<string> CheckUrlAsync(string url, WebhookOptions options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw NotificationsProblems.InvalidUrl("It must be an absolute http or https URL.");
        }

        if (options.RequireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw NotificationsProblems.InvalidUrl("It must be https.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw NotificationsProblems.InvalidUrl("It may not carry credentials or a fragment; the signature is how a receiver knows the sender.");
        }

        try
        {
            await WebhookAddresses.ResolveAllowedAsync(uri.IdnHost, options.AllowPrivateNetworks, cancellationToken);
        }
        catch (AddressRefusedException e)
        {
            throw e.Unresolvable ? NotificationsProblems.InvalidUrl(e.Message) : NotificationsProblems.UrlNotAllowed(e.Message);
        }

        return uri.AbsoluteUri;
    }

    private static EndpointResponse ToResponse(WebhookEndpoint e) =>
        new(e.Id, e.OrganizerId, e.Url, e.Description, e.EventTypes, e.Enabled, e.DisabledReason, e.DisabledAt, e.PreviousSecretExpiresAt, e.CreatedAt);

    private static DeliveryResponse ToResponse(WebhookDelivery d, IReadOnlyList<WebhookAttempt> attempts) =>
        new(d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt,
            d.Status == DeliveryStatuses.Pending ? d.NextAttemptAt : null, d.CompletedAt, d.Payload,
            [.. attempts.Select(a => new AttemptResponse(a.AttemptedAt, a.Url, a.RequestHeaders, a.ResponseStatus, a.ResponseBody, a.DurationMs, a.Error))]);
}
