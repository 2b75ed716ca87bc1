using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Contracts.Catalog;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Inventory.Tests.Concurrency;

/// <summary>
/// A database with a thousand fans signed in through identity (real register and login, once for the class, because
/// PBKDF2 makes each one cost tens of milliseconds of CPU), and the host that serves it: in this process, or the real
/// host executable as a child process that a test can kill. Only one host may run on a database at a time (the
/// runtime lease), so a test asks for the one it needs and the other is stopped first. Tokens outlive the class.
/// </summary>
public sealed class OversellFixture : IAsyncLifetime
{
    public const int FanCount = 1_000;

    /// <summary>Sign-ins in flight: enough to keep both cores busy hashing, few enough not to time out.</summary>
    private const int SignInConcurrency = 32;

    private TestHost? _host;

    public PostgresDatabase Database { get; } = new();

    public IReadOnlyList<Person> Fans { get; private set; } = [];

    public TimeSpan SignInTook { get; private set; }

    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        // A thousand fans sign in from one address: identity's per-address limit is not what these tests are about.
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "100000",
        // Tokens are made once for the class; they must outlive it.
        ["TicketToken:Identity:AccessTokenLifetime"] = "00:30:00",
    };

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var host = await HostAsync();
        var personas = new Personas(host.Client);
        var fans = new Person[FanCount];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, FanCount), new ParallelOptions { MaxDegreeOfParallelism = SignInConcurrency },
            async (i, _) => fans[i] = await personas.FanAsync(Personas.NewEmail($"fan{i}")));
        SignInTook = clock.Elapsed;
        Fans = fans;
    }

    /// <summary>The in-process host (identity and inventory), started if it is not running.</summary>
    public async Task<TestHost> HostAsync() =>
        _host ??= await TestHost.StartAsync(InventoryFixture.HostedModules(), Database.ConnectionString, Settings);

    /// <summary>Stops the in-process host, so that a child host can take the database.</summary>
    public async Task StopHostAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    /// <summary>Publishes <paramref name="published"/> through the in-process host's pub/sub, as catalog does, and waits for its inventory.</summary>
    public async Task<EventPublished> PublishAsync(EventPublished published)
    {
        var host = await HostAsync();
        await host.GetKeyed<IEventPublisher>(InventoryModule.Id).PublishEventAsync(PubSubNames.Default, EventPublished.Topic, published);
        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Client.GetAsync($"/api/inventory/events/{published.EventId}/availability");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sections").GetArrayLength() == published.Sections.Count;
        }, "the inventory of the published event");
        return published;
    }

    /// <summary>
    /// Starts the real host executable (<c>TicketToken.Host.dll</c>, copied next to the tests) with identity and inventory
    /// on this database; the in-process host must be stopped first.
    /// </summary>
    public Task<ChildHost> StartChildAsync(IReadOnlyDictionary<string, string> extra)
    {
        var environment = ChildHost.EnvironmentOf(TestHost.Defaults, Settings);
        environment["TICKETTOKEN__SERVICES"] = "identity,inventory";
        environment["TICKETTOKEN__POSTGRES"] = Database.ConnectionString;
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), environment);
    }

    public async Task DisposeAsync()
    {
        await StopHostAsync();
        await Database.DisposeAsync();
    }
}
