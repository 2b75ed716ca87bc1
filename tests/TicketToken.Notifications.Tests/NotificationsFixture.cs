using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;
using Microsoft.Extensions.Time.Testing;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Tickets;
using TicketToken.Identity;
using TicketToken.Tickets;

namespace TicketToken.Notifications.Tests;

/// <summary>
/// Identity, tickets and notifications on a real host and a fresh database, with a real SMTP server the mail goes to (with AUTH),
/// and the stand-in for the tickets module's documents. Identity's and tickets' events come from the real modules; the events of
/// modules not hosted here (catalog, orders, inventory, scanning) are published as they would publish them.
/// </summary>
public class NotificationsFixture : ModuleHostFixture
{
    public Mailbox Mailbox { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Identity:MaxResetRequestsPerAddress"] = "100000",
        ["TicketToken:Tickets:ExpiryGrace"] = "00:00:01",
        ["TicketToken:Notifications:Smtp:Host"] = "127.0.0.1",
        ["TicketToken:Notifications:Smtp:Port"] = Mailbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TicketToken:Notifications:Smtp:TlsMode"] = "None",
        ["TicketToken:Notifications:Smtp:UserName"] = Mailbox.UserName,
        ["TicketToken:Notifications:Smtp:Password"] = Mailbox.Password,
        ["TicketToken:Notifications:Smtp:Timeout"] = "00:00:10",
        ["TicketToken:Notifications:Mail:RetryInitialBackoff"] = "00:00:00.200",
        ["TicketToken:Notifications:Mail:RetryMaxBackoff"] = "00:00:01",
        ["TicketToken:Notifications:Mail:PollInterval"] = "00:00:00.100",
        ["TicketToken:Notifications:Mail:PublicBaseUrl"] = "https://tickets.example.test",
        ["TicketToken:Notifications:Webhooks:AllowPrivateNetworks"] = "true",
        ["TicketToken:Notifications:Webhooks:RequireHttps"] = "false",
        ["TicketToken:Notifications:Webhooks:PollInterval"] = "00:00:00.100",
        ["TicketToken:Notifications:Webhooks:Timeout"] = "00:00:02",
    };

    /// <summary>The notifications module's own clock, when a test class moves it (null: the host's).</summary>
    protected virtual TimeProvider? NotificationsClock => null;

    protected override IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new TicketsModule(), new NotificationsModule(), new EventCaptureModule("identity.staff-invited")];

    protected override string PublisherAppId => NotificationsModule.Id;

    protected override Action<WebApplicationBuilder> Configure => builder =>
    {
        if (NotificationsClock is { } clock)
        {
            builder.Services.AddKeyedSingleton<TimeProvider>(NotificationsModule.Id, clock);
        }
    };

    public override async Task InitializeAsync()
    {
        if (Mailbox.Unavailable is null)
        {
            await Mailbox.StartAsync();
        }

        await base.InitializeAsync();
    }

    /// <summary>Waits for a message at the mailbox; on a timeout the failure says what the module's queue holds for the address.</summary>
    public async Task<MimeKit.MimeMessage> MailAsync(string address, Func<MimeKit.MimeMessage, bool>? match = null)
    {
        try
        {
            return await Mailbox.WaitForAsync(address, match);
        }
        catch (TimeoutException e)
        {
            var rows = new List<string>();
            await using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "select template, status, attempts, coalesce(last_error, ''), coalesce(recipient_email, '') from notifications.messages order by created_at desc limit 20", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add($"{reader.GetString(0)} {reader.GetString(1)} attempts={reader.GetInt32(2)} to={reader.GetString(4)} error={reader.GetString(3)}");
            }

            throw new TimeoutException($"{e.Message}. The queue's newest messages:\n{string.Join('\n', rows)}", e);
        }
    }

    public ITicketIssuerActor Issuer(Guid orderId) =>
        Actors.CreateActorProxy<ITicketIssuerActor>(TicketsActors.IssuerId(orderId), TicketsActors.Issuer);

    /// <summary>Announces an event as catalog would, and waits until both tickets and notifications recorded it.</summary>
    public async Task<EventPublished> AnnounceAsync(EventPublished published)
    {
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long?>("select version from tickets.events where id = $1", published.EventId) >= published.Version
            && await Database.ScalarAsync<long?>("select version from notifications.events where id = $1", published.EventId) >= published.Version, "the event was recorded");
        return published;
    }

    /// <summary>The message rows of a template for one address or person, as support would find them.</summary>
    public Task<long> CountMessagesAsync(string template, Guid userId) =>
        Database.ScalarAsync<long>("select count(*) from notifications.messages where template = $1 and recipient_user_id = $2", template, userId);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Mailbox.DisposeAsync();
    }
}

/// <summary>The notifications module's clock under the test's control (the rest of the host keeps real time), for the webhook retry window.</summary>
public sealed class WebhookClockFixture : NotificationsFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds())); // whole seconds, as PostgreSQL keeps microseconds

    protected override TimeProvider NotificationsClock => Clock;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Notifications:Webhooks:RetryInitialBackoff"] = "00:10:00",
        ["TicketToken:Notifications:Webhooks:RetryMaxBackoff"] = "00:20:00",
        ["TicketToken:Notifications:Webhooks:RetryWindow"] = "01:00:00",
        ["TicketToken:Notifications:Webhooks:Timeout"] = "00:00:01",
    };
}

/// <summary>Webhooks as an operator runs them by default: public addresses only.</summary>
public sealed class PublicOnlyWebhooksFixture : NotificationsFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Notifications:Webhooks:AllowPrivateNetworks"] = "false",
    };
}
