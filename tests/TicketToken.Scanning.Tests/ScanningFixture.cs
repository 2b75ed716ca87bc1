using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Identity;
using TicketToken.Contracts.Tickets;
using TicketToken.Identity;
using TicketToken.Testing.Identity;
using TicketToken.Tickets;

namespace TicketToken.Scanning.Tests;

/// <summary>An organizer's venue with an announced event and a scanner device at a gate.</summary>
public sealed record Venue(Person Admin, Guid OrganizerId, Guid VenueId, EventPublished Event, ScannerDevice Device);

/// <summary>A fan's ticket and the secret its codes are made with (as the fan's app gets it from the tickets module).</summary>
public sealed record FanTicket(Person Fan, Guid TicketId, Guid OrderId, string Zone, byte[] Secret, int StepSeconds);

/// <summary>
/// Identity, catalog (which owns the venues devices are registered for), tickets and scanning on a real host and a fresh database. Events are announced through the real pub/sub as
/// catalog announces them; tickets are issued through the tickets module's actor as orders issues them; devices are
/// registered through identity's API; codes are computed from the secret the tickets module gives the fan's app.
/// </summary>
public class ScanningFixture : ModuleHostFixture
{
    public static readonly Guid GaType = Guid.NewGuid();
    public static readonly Guid VipType = Guid.NewGuid();
    public static readonly Guid BackstageType = Guid.NewGuid();

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new Catalog.CatalogModule(), new TicketsModule(), new ScanningModule(), new EventCaptureModule(StaffInvited.Topic, TicketToken.Contracts.Scanning.EntryConflictDetected.Topic)];

    protected override string PublisherAppId => TicketsModule.Id;

    /// <summary>The settings of the in-process host, as a child host's environment (<c>TICKETTOKEN__...</c>).</summary>
    public Dictionary<string, string> ChildEnvironment() => ChildEnvironment("identity,catalog,tickets,scanning");

    /// <summary>An organizer with a venue, an event there starting in an hour (unless told otherwise) and a GA device.</summary>
    public async Task<Venue> VenueAsync(DateTimeOffset? startsAt = null, DateTimeOffset? endsAt = null, IReadOnlyList<string>? zones = null, bool walletPassesAllowed = true)
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync();
        var venueId = await Personas.VenueAsync(admin, organizerId);
        var published = await AnnounceAsync(organizerId, venueId, startsAt, endsAt, walletPassesAllowed);
        var device = await DeviceAsync(admin, organizerId, venueId, zones);
        return new Venue(admin, organizerId, venueId, published, device);
    }

    /// <summary>Announces an event as catalog does (types for GA, VIP and BACKSTAGE) and waits until scanning and tickets know it.</summary>
    public async Task<EventPublished> AnnounceAsync(Guid organizerId, Guid venueId, DateTimeOffset? startsAt = null, DateTimeOffset? endsAt = null, bool walletPassesAllowed = true)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds((startsAt ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds());
        var end = DateTimeOffset.FromUnixTimeSeconds((endsAt ?? start.AddHours(3)).ToUnixTimeSeconds());
        var published = new EventPublished(Guid.NewGuid(), organizerId, venueId, "Gate night", start, end, "Europe/Berlin", "EUR", start.AddDays(-30), start,
            new PurchaseLimits(8, 8), [],
            [
                new PublishedTicketType(GaType, "Standing", PublishedTicketType.GeneralAdmission, null, 1000, 3_000) { AccessZone = AccessZones.GeneralAdmission },
                new PublishedTicketType(VipType, "VIP lounge", PublishedTicketType.GeneralAdmission, null, 100, 9_000) { AccessZone = AccessZones.Vip },
                new PublishedTicketType(BackstageType, "Backstage", PublishedTicketType.GeneralAdmission, null, 10, 20_000) { AccessZone = AccessZones.Backstage },
            ],
            new ResalePolicy(false, null, 0), 1) { VenueName = "Main Hall", VenueCity = "Berlin", WalletPassesAllowed = walletPassesAllowed };
        return await ReannounceAsync(published);
    }

    /// <summary>Publishes the announcement (again, with a higher version) and waits until scanning and tickets recorded this version.</summary>
    public async Task<EventPublished> ReannounceAsync(EventPublished published)
    {
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long?>("select version from scanning.events where id = $1", published.EventId) >= published.Version
            && await Database.ScalarAsync<long?>("select version from tickets.events where id = $1", published.EventId) >= published.Version,
            "scanning and tickets recorded the event");
        return published;
    }

    /// <summary>Registers a device (zones default GA) through identity and waits until scanning has heard of it.</summary>
    public async Task<ScannerDevice> DeviceAsync(Person admin, Guid organizerId, Guid venueId, IReadOnlyList<string>? zones = null)
    {
        var device = await Personas.DeviceAsync(admin, organizerId, venueId, zones);
        await WaitForDeviceVersionAsync(device.DeviceId, 1);
        return device;
    }

    public Task WaitForDeviceVersionAsync(Guid deviceId, long version) =>
        Eventually.TrueAsync(async () => await Database.ScalarAsync<long?>("select version from scanning.devices where id = $1", deviceId) >= version,
            $"scanning heard of version {version} of device {deviceId}");

    /// <summary>Issues and activates one ticket of <paramref name="zone"/> to a new fan, and fetches its secret as the fan's app does.</summary>
    public async Task<FanTicket> TicketAsync(Venue venue, string zone = AccessZones.GeneralAdmission, EventPublished? @event = null)
    {
        var fan = await Personas.FanAsync();
        var published = @event ?? venue.Event;
        var type = zone switch { AccessZones.Vip => VipType, AccessZones.Backstage => BackstageType, _ => GaType };
        var orderId = Guid.NewGuid();
        var order = new IssueTickets(orderId, $"TT-{orderId.ToString("N")[..8].ToUpperInvariant()}", published.EventId, venue.OrganizerId, fan.UserId,
            [new TicketLine(1, type, zone, null, null, null, null, null, 3_000, "EUR")]);
        await Issuer(orderId).IssueAsync(order);
        var ticketId = (await Issuer(orderId).ActivateAsync(new ActivateTickets(orderId))).Tickets.Single().TicketId;
        await WaitForStatusAsync(ticketId, TicketStatuses.Active);
        using var response = await Client.SendAsync(fan, HttpMethod.Get, $"/api/tickets/{ticketId}/offline");
        var offline = await response.ShouldBeAsync(HttpStatusCode.OK);
        return new FanTicket(fan, ticketId, orderId, zone, Base64Url.DecodeFromChars(offline.Text("secret")), offline.GetProperty("stepSeconds").GetInt32());
    }

    /// <summary>
    /// A ticket's secret from the tickets module's own event key (through the actor scanning uses), for tickets whose fan
    /// cannot get it any more (or never could).
    /// </summary>
    public async Task<FanTicket> FromEventKeyAsync(Guid eventId, Guid ticketId, Guid orderId, int secretVersion = 1)
    {
        var key = await Actors.CreateActorProxy<IEventEntryKeysActor>(TicketsActors.EntryKeysId(eventId), TicketsActors.EntryKeys).GetAsync();
        return new FanTicket(null!, ticketId, orderId, AccessZones.GeneralAdmission, TicketCode.DeriveSecret(key!.Key, ticketId, secretVersion), key.StepSeconds);
    }

    public ITicketIssuerActor Issuer(Guid orderId) =>
        Actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);

    public Task WaitForStatusAsync(Guid ticketId, string status) =>
        Eventually.TrueAsync(async () => await Database.ScalarAsync<string?>("select status from scanning.tickets where id = $1", ticketId) == status,
            $"scanning sees ticket {ticketId} {status}");

    /// <summary>Scans <paramref name="code"/> at a gate; asserts a 200 (a denied scan is an answer, not an error).</summary>
    public async Task<JsonElement> ScanAsync(ScannerDevice device, Guid eventId, string code, string gate = "North 1", string? zone = null, string direction = "entry")
    {
        using var response = await SendAsync(device, HttpMethod.Post, "/api/scans", new { eventId, code, gate, zone, direction });
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    public Task<HttpResponseMessage> SendAsync(ScannerDevice device, HttpMethod method, string path, object? body = null) =>
        Client.SendAsync(device.AccessToken, method, path, body);
}

/// <summary>Tickets that expire one second after their event ends (the tickets module's sweep).</summary>
public sealed class ShortGraceScanningFixture : ScanningFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Tickets:ExpiryGrace"] = "00:00:01",
    };
}

/// <summary>Codes as the fan's app makes them from the ticket's secret: version 2 (TT2), or version 1 (TT1) as older apps do.</summary>
public static class Codes
{
    public static string Current(this FanTicket ticket) => TotpCode.Current(ticket.TicketId, ticket.Secret, DateTimeOffset.UtcNow, ticket.StepSeconds);

    public static string CurrentV1(this FanTicket ticket) => TicketCode.Current(ticket.TicketId, ticket.Secret, DateTimeOffset.UtcNow, ticket.StepSeconds);

    /// <summary>The code of a step <paramref name="stepsAgo"/> before the current one (a screenshot).</summary>
    public static string StepsAgo(this FanTicket ticket, int stepsAgo)
    {
        var step = TicketCode.Step(DateTimeOffset.UtcNow, ticket.StepSeconds) - stepsAgo;
        return TotpCode.Format(ticket.TicketId, step * ticket.StepSeconds, TotpCode.Value(TotpCode.Key(ticket.Secret, ticket.TicketId), step));
    }

    public static string StepsAgoV1(this FanTicket ticket, int stepsAgo)
    {
        var step = TicketCode.Step(DateTimeOffset.UtcNow, ticket.StepSeconds) - stepsAgo;
        return TicketCode.Format(ticket.TicketId, step, TicketCode.Compute(ticket.TicketId, ticket.Secret, step));
    }

    public static bool Allowed(this JsonElement scan) => scan.GetProperty("allowed").GetBoolean();

    public static string? Reason(this JsonElement scan) => scan.GetProperty("reason").GetString();
}
