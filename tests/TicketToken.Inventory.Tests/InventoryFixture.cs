using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Identity;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Inventory.Tests;

/// <summary>
/// Identity and inventory on a real host and a fresh database, plus a capture of <c>seats.*</c> events. Events are
/// published through the real pub/sub, exactly as catalog publishes them.
/// </summary>
public class InventoryFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public TestHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public Personas Personas { get; private set; } = null!;

    public CapturedEvents Events => Host.Services.GetRequiredService<CapturedEvents>();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Many fans from one address: identity's per-address sign-in limit is not what these tests are about.
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "100000",
    };

    /// <summary>Changes to the host's services before it is built (a fake clock), or null.</summary>
    protected virtual Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? Configure => null;

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await TestHost.StartAsync(Modules(), Database.ConnectionString, Settings, Configure);
        Personas = new Personas(Client);
    }

    public static IReadOnlyList<Module> Modules() =>
        [new IdentityModule(), new InventoryModule(), new EventCaptureModule(SeatsReleased.Topic, SeatsSold.Topic, WaitlistOffered.Topic)];

    /// <summary>Publishes <paramref name="published"/> on <c>event.published</c> and waits until its availability answers.</summary>
    public async Task<EventPublished> PublishAsync(EventPublished published)
    {
        await Host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, published);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Client.GetAsync($"/api/inventory/events/{published.EventId}/availability");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sections").GetArrayLength() == published.Sections.Count;
        }, "the inventory of the published event");
        return published;
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>Holds that expire after two seconds, for expiry tests.</summary>
/// <summary>
/// Holds of two seconds (five at most) on a clock the tests move: a hold expires when a test advances <see cref="Clock"/>
/// past it, never because the machine was slow, so these tests mean the same on a busy CI host as on an idle one.
/// Reminders are polled in real time and compared with this clock, so they fire within a poll of the advance.
/// </summary>
public sealed class ShortHoldsFixture : InventoryFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TicketToken:Inventory:HoldDuration"] = "00:00:02",
        ["TicketToken:Inventory:MaximumHoldLifetime"] = "00:00:05",
    };

    protected override Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? Configure =>
        builder => builder.Services.AddSingleton<TimeProvider>(Clock);
}
