using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using HostingModule = TicketToken.BuildingBlocks.Hosting.Module;

namespace TicketToken.Host.Tests;

/// <summary>
/// The arrows point one way: inside the building blocks a namespace depends only on namespaces of lower layers (the
/// composition root, Hosting, on top), and inside a module the core (Domain, Data) never depends on its edges (Apis,
/// Subscriptions, Actors, Workflows). Checked on the compiled IL with NetArchTest, so a fully qualified name counts as
/// much as a using.
/// </summary>
public sealed class LayeringTests
{
    private const string Blocks = "TicketToken.BuildingBlocks";

    /// <summary>Bottom to top. A namespace listed here covers its sub-namespaces unless they are listed themselves.</summary>
    private static readonly string[][] BuildingBlockLayers =
    [
        [Blocks, $"{Blocks}.Platform", $"{Blocks}.Serialization", $"{Blocks}.State"],
        [$"{Blocks}.Invocation", $"{Blocks}.PubSub", $"{Blocks}.Actors"],
        [$"{Blocks}.Data", $"{Blocks}.Workflows"],
        [$"{Blocks}.Workflows.Engine"],
        [$"{Blocks}.Runtime", $"{Blocks}.Security"],
        [$"{Blocks}.ServiceDefaults"],
        [$"{Blocks}.Http"],
        [$"{Blocks}.Workflows.Admin"],
        [$"{Blocks}.Hosting"],
    ];

    private static readonly string[] ModuleCore = ["Domain", "Data"];

    private static readonly string[] ModuleEdges = ["Apis", "Subscriptions", "Actors", "Workflows"];

    [Fact]
    public void Building_block_namespaces_depend_only_on_lower_layers()
    {
        var assembly = typeof(HostingModule).Assembly;

        var upward = UpwardDependencies(assembly, BuildingBlockLayers);

        upward.Should().BeEmpty("a building block may use only the layers below it (see docs/ARCHITECTURE.md, section 3)");
        OwnNamespaces(assembly, Blocks).Where(ns => LayerOf(ns, BuildingBlockLayers) < 0).Should()
            .BeEmpty("every namespace of the building blocks has a layer, so a new one cannot slip past this test");
    }

    [Fact]
    public void A_modules_domain_and_data_never_depend_on_its_apis_subscriptions_actors_or_workflows()
    {
        var inward = HostModules.All().Select(m => m.GetType().Assembly).Distinct().SelectMany(assembly =>
        {
            var root = assembly.GetName().Name!;
            return UpwardDependencies(assembly, [[.. ModuleCore.Select(n => $"{root}.{n}")], [.. ModuleEdges.Select(n => $"{root}.{n}")]]);
        });

        inward.Should().BeEmpty("a module's core must not know its edges");
    }

    [Fact]
    public void The_check_finds_a_namespace_that_points_up()
    {
        var assembly = typeof(LayeringProbe.Low.Floor).Assembly;
        const string probe = "TicketToken.Host.Tests.LayeringProbe";

        var upward = UpwardDependencies(assembly, [[$"{probe}.Low"], [$"{probe}.High"]]);

        upward.Should().Equal($"{probe}.Low.Floor -> {probe}.High");
    }

    /// <summary>Every type of a layer that depends on a namespace of a higher layer, as "type -> namespace".</summary>
    private static List<string> UpwardDependencies(Assembly assembly, string[][] layers)
    {
        var found = new List<string>();
        var all = layers.SelectMany(l => l).ToList();
        for (var rank = 0; rank < layers.Length; rank++)
        {
            foreach (var layer in layers[rank])
            {
                // Types of this namespace and of its sub-namespaces that no other entry claims.
                var claimedBelow = all.Where(n => n.StartsWith(layer + ".", StringComparison.Ordinal)).ToList();
                var pattern = $"^{Regex.Escape(layer)}(\\..+)?$";
                var types = Types.InAssembly(assembly).That().ResideInNamespaceMatching(pattern).GetTypes()
                    .Where(t => !claimedBelow.Any(c => t.Namespace == c || t.Namespace!.StartsWith(c + ".", StringComparison.Ordinal)))
                    .Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
                foreach (var higher in layers.Skip(rank + 1).SelectMany(l => l))
                {
                    var result = Types.InAssembly(assembly).That().ResideInNamespaceMatching(pattern).Should()
                        .NotHaveDependencyOn(higher).GetResult();
                    found.AddRange((result.FailingTypeNames ?? []).Where(types.Contains).Select(t => $"{t} -> {higher}"));
                }
            }
        }

        return found;
    }

    private static IEnumerable<string> OwnNamespaces(Assembly assembly, string root) =>
        assembly.GetTypes().Select(t => t.Namespace).OfType<string>().Where(ns => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal)).Distinct();

    private static int LayerOf(string ns, string[][] layers) =>
        Array.FindIndex(layers, l => l.Any(n => ns == n || ns.StartsWith(n + ".", StringComparison.Ordinal)));
}
