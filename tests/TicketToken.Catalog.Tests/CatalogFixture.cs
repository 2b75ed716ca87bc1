using Microsoft.Extensions.DependencyInjection;
using TicketToken.Contracts.Catalog;
using TicketToken.Identity;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Catalog.Tests;

/// <summary>
/// Identity and catalog on a real host and a fresh database, plus a module that captures what catalog publishes (and
/// identity's invitations, to make staff), for one test class.
/// </summary>
public sealed class CatalogFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public TestHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public Personas Personas { get; private set; } = null!;

    public CapturedEvents Events => Host.Services.GetRequiredService<CapturedEvents>();

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await TestHost.StartAsync(
            [new IdentityModule(), new CatalogModule(), new EventCaptureModule(EventPublished.Topic, EventCancelled.Topic, "identity.staff-invited")],
            Database.ConnectionString,
            new Dictionary<string, string?>
            {
                ["TicketToken:Identity:MaxFailuresPerAddress"] = "100000",
                ["TicketToken:Identity:MaxResetRequestsPerAddress"] = "100000",
            });
        Personas = new Personas(Client);
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
