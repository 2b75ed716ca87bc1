using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Contracts.Catalog;
using TicketToken.Contracts.Inventory;
using TicketToken.Identity;
using TicketToken.Testing;

namespace TicketToken.Inventory.Tests;

/// <summary>
/// Identity and inventory on a real host and a fresh database, plus a capture of <c>seats.*</c> events. Events are
/// published through the real pub/sub, exactly as catalog publishes them.
/// </summary>
public class InventoryFixture : ModuleHostFixture
{
    protected override IReadOnlyList<Module> Modules() => HostedModules();

    public static IReadOnlyList<Module> HostedModules() =>
        [new IdentityModule(), new InventoryModule(), new EventCaptureModule(SeatsReleased.Topic, SeatsSold.Topic, WaitlistOffered.Topic)];

    protected override string PublisherAppId => InventoryModule.Id;

    /// <summary>Publishes <paramref name="published"/> on <c>event.published</c> and waits until its availability answers.</summary>
    public async Task<EventPublished> PublishAsync(EventPublished published)
    {
        await PublishAsync(EventPublished.Topic, published);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await Client.GetAsync($"/api/inventory/events/{published.EventId}/availability");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sections").GetArrayLength() == published.Sections.Count;
        }, "the inventory of the published event");
        return published;
    }
}

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

    protected override Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> Configure =>
        builder => builder.Services.AddSingleton<TimeProvider>(Clock);
}
