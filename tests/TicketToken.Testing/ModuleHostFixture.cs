using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Testing.Identity;
using Xunit;

namespace TicketToken.Testing;

/// <summary>
/// A set of modules on a fresh database for one test class: the host (in this process on real Kestrel, or the real
/// executable as a child process a test can kill), its client, and personas made through identity. A test project
/// says only which modules, which settings and what it adds; the scaffold is written once here.
/// </summary>
public abstract class ModuleHostFixture : IAsyncLifetime
{
    private TestHost? _host;
    private ChildHost? _child;

    public PostgresDatabase Database { get; } = new();

    /// <summary>The in-process host (there is none while the modules run in a child process).</summary>
    public TestHost Host => _host ?? throw new InvalidOperationException("The in-process host is not running.");

    public HttpClient Client => _child?.Client ?? Host.Client;

    public Personas Personas { get; private set; } = null!;

    /// <summary>What the <see cref="EventCaptureModule"/> among <see cref="Modules"/> received.</summary>
    public CapturedEvents Events => Host.Services.GetRequiredService<CapturedEvents>();

    public IActorProxyFactory Actors => Host.Services.GetRequiredService<IActorProxyFactory>();

    /// <summary>The modules of the in-process host (none for a fixture that runs only a child process).</summary>
    protected virtual IReadOnlyList<Module> Modules() => [];

    /// <summary>
    /// The host's settings over <see cref="TestHost.Defaults"/>. Every request of a test comes from 127.0.0.1, so
    /// identity's per-address sign-in limit is raised unless a fixture is about that limit.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TicketToken:Identity:MaxFailuresPerAddress"] = "100000",
    };

    /// <summary>Changes to the host's services before it is built (a fake clock, a log capture), or null.</summary>
    protected virtual Action<WebApplicationBuilder>? Configure => null;

    /// <summary>
    /// The <c>TICKETTOKEN__SERVICES</c> of the real executable when the modules run as a child process; null runs
    /// <see cref="Modules"/> in this process.
    /// </summary>
    protected virtual string? ChildProcessServices => null;

    /// <summary>The app id whose publisher <see cref="PublishAsync"/> publishes as (the module a test stands in for).</summary>
    protected virtual string PublisherAppId => EventCaptureModule.Id;

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await StartAsync();
    }

    /// <summary>Starts the host; <paramref name="overrides"/> are settings of a child process for this run only (a fault injection point).</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        if (ChildProcessServices is null)
        {
            _host = await TestHost.StartAsync(Modules(), Database.ConnectionString, Settings, Configure);
        }
        else
        {
            _child = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"),
                ChildEnvironment(ChildProcessServices, overrides));
        }

        Personas = new Personas(Client);
    }

    /// <summary>Stops the host gracefully (another process may then run on the database).</summary>
    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.DisposeAsync();
        }

        if (_child is { } child)
        {
            _child = null;
            await child.DisposeAsync();
        }
    }

    /// <summary>Stops the host and starts another on the same database: nothing in memory survives, only what was committed.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>SIGKILL of the child process: no shutdown, no flush, as a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        var child = _child ?? throw new InvalidOperationException("No child process runs.");
        _child = null;
        await child.KillAsync();
        await child.DisposeAsync();
    }

    /// <summary>This fixture's settings as a child host's environment (<c>TICKETTOKEN__...</c>), running <paramref name="services"/>.</summary>
    public Dictionary<string, string> ChildEnvironment(string services, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = ChildHost.EnvironmentOf(TestHost.Defaults, Settings, overrides ?? new Dictionary<string, string?>());
        environment["TICKETTOKEN__SERVICES"] = services;
        environment["TICKETTOKEN__POSTGRES"] = Database.ConnectionString;
        return environment;
    }

    /// <summary>Publishes what another module would on <paramref name="topic"/>; <paramref name="eventId"/> fixes the CloudEvent id (a redelivery).</summary>
    public Task PublishAsync<T>(string topic, T data, string? eventId = null) where T : notnull =>
        Host.GetKeyed<IEventPublisher>(PublisherAppId).PublishEventAsync(PubSubNames.Default, topic, data,
            eventId is null ? null : new Dictionary<string, string> { [PublishMetadata.CloudEventId] = eventId });

    /// <summary>POSTs as <paramref name="person"/>, asserts <paramref name="expected"/> and returns the JSON body.</summary>
    public Task<JsonElement> PostAsync(Person person, string path, object? body, HttpStatusCode expected = HttpStatusCode.Created) =>
        Client.SendOkAsync(person, HttpMethod.Post, path, body, expected);

    /// <summary>
    /// Waits until everything the modules published so far has been handled: every outbox relayed and no delivery left.
    /// Then "nothing more will happen" is a fact, not a guess.
    /// </summary>
    public async Task DrainAsync()
    {
        var outboxes = new List<string>();
        await using (var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("select table_schema from information_schema.tables where table_name = 'outbox_messages'", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                outboxes.Add(reader.GetString(0));
            }
        }

        var pending = string.Join(" + ", outboxes.Select(schema => $"(select count(*) from \"{schema}\".outbox_messages)").Append("(select count(*) from runtime.deliveries)"));
        await Eventually.TrueAsync(async () => await Database.ScalarAsync<long>("select " + pending) == 0, "every outbox is relayed and every delivery handled");
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        await Database.DisposeAsync();
    }
}
