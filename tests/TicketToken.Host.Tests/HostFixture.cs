using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Testing;

namespace TicketToken.Host.Tests;

/// <summary>The host with every module of the real binary, on a fresh database, for one test class.</summary>
public class HostFixture : ModuleHostFixture
{
    protected override IReadOnlyList<Module> Modules() => HostModules.All();

    /// <summary>The host's own defaults: no limit raised (a test that needs one has a fixture of its own).</summary>
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();
}

/// <summary>The real modules plus <see cref="FaultModule"/>, whose routes fail on purpose.</summary>
public sealed class HostWithFaultsFixture : HostFixture
{
    protected override IReadOnlyList<Module> Modules() => [.. HostModules.All(), new FaultModule()];
}

/// <summary>A rate limit small enough to hit from a test: a burst of 2, then 1 request per second.</summary>
public sealed class RateLimitedHostFixture : HostFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["TicketToken:RateLimiting:Enabled"] = "true",
        ["TicketToken:RateLimiting:PermitsPerSecond"] = "1",
        ["TicketToken:RateLimiting:Burst"] = "2",
    };
}
