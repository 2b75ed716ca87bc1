using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using TicketToken.BuildingBlocks.Hosting;
using TicketToken.Host;

namespace TicketToken.Deployment.Tests;

/// <summary>
/// The routes each module of the host maps, read from the real composition (built, never started: no database, no
/// network), so the chart's ingress paths can be checked against the code rather than against a list kept by hand.
/// </summary>
internal static class ModuleRoutes
{
    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyList<RoutePattern>>> ByModule = new(Read);

    /// <summary>App-id → the route patterns only that module adds (the host's own probes and OpenAPI document left out).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<RoutePattern>> All => ByModule.Value;

    /// <summary>
    /// Whether an Ingress path of type Prefix matches every request the route can serve: its elements are the
    /// route's first segments, each a plain literal (Kubernetes matches Prefix paths element by element, case-sensitive).
    /// </summary>
    public static bool IsUnder(RoutePattern route, string prefix)
    {
        var elements = prefix.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (elements.Length > route.PathSegments.Count)
        {
            return false;
        }

        return elements.Select((element, i) => route.PathSegments[i].IsSimple && route.PathSegments[i].Parts[0] is RoutePatternLiteralPart literal
            && literal.Content == element).All(matches => matches);
    }

    private static Dictionary<string, IReadOnlyList<RoutePattern>> Read()
    {
        var hostWide = Routes([new NoRoutes()], NoRoutes.Id).Select(r => r.RawText).ToHashSet();
        return HostModules.All().ToDictionary(m => m.AppId, m => (IReadOnlyList<RoutePattern>)Routes(HostModules.All(), m.AppId).Where(r => !hostWide.Contains(r.RawText)).ToList());
    }

    private static List<RoutePattern> Routes(IReadOnlyList<Module> modules, string selected)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TicketToken:Services"] = selected,
            ["TicketToken:Runtime"] = "embedded",
            // Never opened: the host is built to read its endpoints, not started.
            ["TicketToken:Postgres"] = "Host=unused.invalid;Database=unused",
        });
        builder.AddTicketToken(modules);
        var app = builder.Build();
        try
        {
            app.MapTicketToken();
            return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern).ToList();
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>A module that maps nothing: what a host serves with it alone is what every host serves.</summary>
    private sealed class NoRoutes : Module
    {
        public const string Id = "no-routes";

        public override string AppId => Id;
    }
}
