using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using YamlDotNet.RepresentationModel;

namespace TicketToken.Microservices.Tests;

/// <summary>
/// The ingress of the chart, on a laptop: YARP routing each module's <c>ingressPaths</c> from the chart's values
/// (Kubernetes Prefix paths: a path and everything under it) to that module's process, wherever it listens now.
/// </summary>
public sealed class FrontDoor : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly InMemoryConfigProvider _config;
    private readonly Dictionary<string, Uri> _backends = new(StringComparer.Ordinal);

    private FrontDoor(WebApplication web, InMemoryConfigProvider config, IReadOnlyDictionary<string, IReadOnlyList<string>> paths, Uri address)
    {
        _web = web;
        _config = config;
        Paths = paths;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>App-id → its ingress paths, as the chart's values.yaml lists them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Paths { get; }

    public static async Task<FrontDoor> StartAsync(string valuesFile)
    {
        var paths = IngressPaths(valuesFile);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(FrontDoor).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var config = new InMemoryConfigProvider([], []);
        builder.Services.AddSingleton<IProxyConfigProvider>(config);
        builder.Services.AddReverseProxy();
        var web = builder.Build();
        web.MapReverseProxy();
        await web.StartAsync();
        var address = new Uri(web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new FrontDoor(web, config, paths, address);
    }

    /// <summary>Points the module's paths at where its process listens (again after a restart).</summary>
    public void Route(string appId, Uri backend)
    {
        lock (_backends)
        {
            _backends[appId] = backend;
            var routes = _backends.Keys.SelectMany(app => Paths.GetValueOrDefault(app, []).Select((path, i) => new RouteConfig
            {
                RouteId = $"{app}-{i}",
                ClusterId = app,
                Match = new RouteMatch { Path = path.TrimEnd('/') + "/{**rest}" },
            })).ToList();
            var clusters = _backends.Select(b => new ClusterConfig
            {
                ClusterId = b.Key,
                Destinations = new Dictionary<string, DestinationConfig> { ["pod"] = new() { Address = b.Value.ToString() } },
            }).ToList();
            _config.Update(routes, clusters);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }

    private static Dictionary<string, IReadOnlyList<string>> IngressPaths(string valuesFile)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(valuesFile)))
        {
            stream.Load(reader);
        }

        var modules = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["modules"];
        return modules.Children.ToDictionary(
            m => ((YamlScalarNode)m.Key).Value!,
            m => (IReadOnlyList<string>)(((YamlMappingNode)m.Value).Children.TryGetValue(new YamlScalarNode("ingressPaths"), out var list)
                ? ((YamlSequenceNode)list).Children.Select(p => ((YamlScalarNode)p).Value!).ToList()
                : []),
            StringComparer.Ordinal);
    }
}
