using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Testing;

/// <summary>
/// The real host composition (<see cref="TicketTokenHost"/>) on a real Kestrel bound to a free loopback
/// port, so tests go through HTTP exactly as clients do, and service invocation can loop back.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        // A request sent with Expect: 100-continue waits for the server's answer however busy the machine is: after the
        // default second the client would send a body the server is refusing (413) and closing the connection on.
        Client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) }) { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Settings every test host gets unless the test overrides them: quiet logs, fast retries, no rate limit.</summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>
    {
        ["Serilog:MinimumLevel:Default"] = "Warning",
        ["TicketToken:Logging:Format"] = "text",
        ["TicketToken:RateLimiting:Enabled"] = "false",
        ["TicketToken:Embedded:DeliveryInitialBackoff"] = "00:00:00.050",
        ["TicketToken:Embedded:DeliveryMaxBackoff"] = "00:00:00.500",
        ["TicketToken:Embedded:PollInterval"] = "00:00:00.200",
        ["TicketToken:Workflows:ActivityLease"] = "00:00:02",
        ["TicketToken:ShutdownTimeoutSeconds"] = "10",
        ["TicketToken:Identity:PlatformAdmins:0"] = Identity.Personas.PlatformAdminEmail,
        // The framework's PBKDF2 with 1,000 iterations instead of 100,000: suites sign in thousands of fans, at about 50 ms of
        // CPU each with the production count (the Testing environment is the only one allowed this; PasswordHashingTests).
        ["TicketToken:Identity:PasswordHashIterations"] = "1000",
        // A test that rotates the signing key uses the new key at once; JWKS caches may refetch that fast.
        ["TicketToken:Auth:JwksMinimumRefreshInterval"] = "00:00:00",
    };

    /// <summary>Starts the host; <c>urls</c> is a free loopback port unless given (a real sidecar must know the app port first).</summary>
    public static async Task<TestHost> StartAsync(IReadOnlyList<Module> modules, string connectionString,
        IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null, string urls = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddInMemoryCollection(Defaults);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["TicketToken:Postgres"] = connectionString });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.WebHost.UseUrls(urls);
        builder.AddTicketToken(modules);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapTicketToken();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestHost(app, new Uri(address));
    }

    public T GetKeyed<T>(string appId) where T : notnull => Services.GetRequiredKeyedService<T>(appId);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
