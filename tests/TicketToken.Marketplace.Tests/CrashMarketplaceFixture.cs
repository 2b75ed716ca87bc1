using TicketToken.Testing.Identity;

namespace TicketToken.Marketplace.Tests;

/// <summary>
/// The modules a resale touches in the real host executable (<c>TicketToken.Host.dll</c>, copied next to the tests) as a
/// child process the test can SIGKILL and start again on the same database.
/// </summary>
public sealed class CrashMarketplaceFixture : MarketplaceFixture
{
    private ChildHost? _child;

    public override HttpClient Client => _child?.Client ?? throw new InvalidOperationException("The host is not running.");

    public override async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        await StartAsync();
    }

    /// <summary>Starts the host; <paramref name="overrides"/> are settings for this run only (a fault injection point).</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = ChildHost.EnvironmentOf(TestHost.Defaults, Settings, overrides ?? new Dictionary<string, string?>());
        environment["TICKETTOKEN__SERVICES"] = "identity,catalog,inventory,orders,payments,tickets,marketplace";
        environment["TICKETTOKEN__POSTGRES"] = Database.ConnectionString;
        _child = await ChildHost.StartAsync(Path.Combine(AppContext.BaseDirectory, "TicketToken.Host.dll"), environment);
        Personas = new Personas(Client);
    }

    /// <summary>SIGKILL: no shutdown, no flush, as a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        await _child!.KillAsync();
        await _child.DisposeAsync();
        _child = null;
    }

    public override async Task DisposeAsync()
    {
        if (_child is not null)
        {
            await _child.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}
