using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Catalog;
using TicketToken.Identity;
using TicketToken.Inventory;
using TicketToken.Queue.Domain;
using TicketToken.Testing.Catalog;
using TicketToken.Testing.Identity;

namespace TicketToken.Queue.Tests;

/// <summary>
/// Identity, catalog, inventory and the queue in one host on a fresh database, on a clock the test moves, with a fixed
/// shuffle seed. The admitting loop's timer never fires on its own (the clock stands still), so each test steps it.
/// </summary>
public sealed class QueueFixture : ModuleHostFixture
{
    /// <summary>
    /// Starts half an hour behind the real clock: tokens are validated on the real clock, and a token issued after the
    /// tests moved this one ahead of it would not be valid yet. Tokens live three hours so that none expires meanwhile.
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow.AddMinutes(-30));

    public static IReadOnlyDictionary<string, string?> HostSettings { get; } = new Dictionary<string, string?>
    {
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "100000",
        ["TicketToken:Queue:ShuffleSeed"] = "20261207",
        ["TicketToken:Identity:AccessTokenLifetime"] = "03:00:00",
    };

    protected override IReadOnlyDictionary<string, string?> Settings => HostSettings;

    protected override IReadOnlyList<Module> Modules() => [new IdentityModule(), new CatalogModule(), new InventoryModule(), new QueueModule()];

    protected override Action<WebApplicationBuilder> Configure => builder => builder.Services.AddSingleton<TimeProvider>(Clock);

    public Task TickAsync() => Host.Services.GetRequiredService<QueueAdmitter>().TickAsync();

    /// <summary>An on-sale event (16 seats, 200 standing) queued to open in a minute of the fixture's clock, admitting <paramref name="waveSize"/> fans per wave.</summary>
    public async Task<(Person Admin, OnSaleEvent Event)> QueuedOnSaleAsync(int waveSize = 2, int proofOfWorkBits = 0, int delayAtScore = 50, int refuseAtScore = 101,
        int validitySeconds = 300, int standingCapacity = 200, int? perOrder = null)
    {
        var (admin, organizerId) = await Personas.OrganizerAdminAsync();
        var onSale = await OnSaleEvents.CreateAsync(Client, admin, organizerId, standingCapacity: standingCapacity, perOrder: perOrder);
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("select count(*) from queue.events where id = $1", onSale.EventId) == 1,
            "the queue knows the published event");
        using var configured = await Client.SendAsync(admin, HttpMethod.Put, $"/api/queue/organizer/events/{onSale.EventId}", new
        {
            opensAt = Clock.GetUtcNow().AddMinutes(1), waveSize, waveIntervalSeconds = 10, admissionValiditySeconds = validitySeconds, proofOfWorkBits,
            delayAtScore, refuseAtScore,
        });
        await configured.ShouldBeAsync(HttpStatusCode.OK);
        var probe = await Personas.FanAsync();
        await Eventually.TrueAsync(async () =>
        {
            // A seat that does not exist: refused either way, but for want of an admission once inventory knows the queue.
            using var request = probe.Request(HttpMethod.Post, $"/api/inventory/events/{onSale.EventId}/holds", new { seats = new[] { "NOWHERE-1-1" } });
            using var hold = await Client.SendAsync(request);
            return (await hold.Content.ReadAsStringAsync()).Contains("admission_required", StringComparison.Ordinal);
        }, "inventory refuses holds without an admission");
        return (admin, onSale);
    }

    public async Task<HttpResponseMessage> HoldAsync(Person fan, Guid eventId, string? admission)
    {
        using var request = fan.Request(HttpMethod.Post, $"/api/inventory/events/{eventId}/holds", new { best = new { quantity = 1 } });
        if (admission is not null)
        {
            request.Headers.Add("Queue-Admission", admission);
        }

        return await Client.SendAsync(request);
    }

    public async Task<JsonElement> JoinAsync(Person fan, Guid eventId, object? body = null, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await Client.SendAsync(fan, HttpMethod.Post, $"/api/queue/events/{eventId}/entries", body ?? new { });
        return await response.ShouldBeAsync(expected);
    }

    public async Task<JsonElement> PlaceAsync(Person fan, Guid eventId)
    {
        using var response = await Client.SendAsync(fan, HttpMethod.Get, $"/api/queue/events/{eventId}/entries/me");
        return await response.ShouldBeAsync(HttpStatusCode.OK);
    }

    /// <summary>Moves the clock past the opening (or by <paramref name="by"/>) and runs one admitting tick.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await TickAsync();
    }
}
