using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using HostingModule = TicketToken.BuildingBlocks.Hosting.Module;

namespace TicketToken.Host.Tests;

/// <summary>The rules that keep modules separable: a module talks to others only through the building blocks and the contracts.</summary>
public sealed class ArchitectureTests(HostFixture host) : IClassFixture<HostFixture>
{
    private static readonly string[] Shared = ["TicketToken.BuildingBlocks", "TicketToken.Contracts"];

    private static readonly Lazy<IReadOnlyList<Assembly>> ModuleAssemblies = new(FindModuleAssemblies);

    [Fact]
    public void Every_module_the_host_runs_lives_in_a_module_assembly()
    {
        var hosted = HostModules.All().Select(m => m.GetType().Assembly).Distinct();

        ModuleAssemblies.Value.Should().NotBeEmpty().And.Contain(hosted);
    }

    [Fact]
    public void No_module_references_another_module()
    {
        var modules = ModuleAssemblies.Value.Select(NameOf).ToHashSet();

        foreach (var assembly in ModuleAssemblies.Value)
        {
            assembly.GetReferencedAssemblies().Select(r => r.Name).Should().NotContain(name => modules.Contains(name!),
                "{0} must reach other modules through the building blocks and Contracts", NameOf(assembly));
        }
    }

    [Fact]
    public void Modules_reference_only_the_building_blocks_and_the_contracts_among_tickettoken_assemblies()
    {
        foreach (var assembly in ModuleAssemblies.Value)
        {
            assembly.GetReferencedAssemblies().Select(r => r.Name!).Where(IsOurs).Should().BeSubsetOf(Shared, "of {0}", NameOf(assembly));
        }
    }

    [Fact]
    public void Every_api_endpoint_has_a_name_that_becomes_its_operation_id()
    {
        var unnamed = ApiEndpoints().Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is null).Select(e => e.DisplayName);

        unnamed.Should().BeEmpty();
    }

    [Fact]
    public void Every_api_endpoint_says_what_it_does()
    {
        var undescribed = ApiEndpoints().Where(e => e.Metadata.GetMetadata<IEndpointSummaryMetadata>() is null).Select(e => e.DisplayName);

        undescribed.Should().BeEmpty();
    }

    private List<RouteEndpoint> ApiEndpoints()
    {
        var endpoints = host.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .ToList();
        endpoints.Should().NotBeEmpty("the identity module maps its API under /api/");
        return endpoints;
    }

    /// <summary>Every TicketToken assembly deployed with the host that defines a module; test assemblies (they reference xUnit) excluded.</summary>
    private static IReadOnlyList<Assembly> FindModuleAssemblies() =>
        Directory.GetFiles(AppContext.BaseDirectory, "TicketToken.*.dll")
            .Select(file => Assembly.Load(AssemblyName.GetAssemblyName(file)))
            .Where(assembly => !assembly.GetReferencedAssemblies().Any(r => r.Name!.StartsWith("xunit", StringComparison.Ordinal)))
            .Where(assembly => LoadableTypes(assembly).Any(t => t is { IsClass: true, IsAbstract: false } && t.IsSubclassOf(typeof(HostingModule))))
            .ToList();

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }

    private static bool IsOurs(string name) => name.StartsWith("TicketToken.", StringComparison.Ordinal);

    private static string NameOf(Assembly assembly) => assembly.GetName().Name!;
}
