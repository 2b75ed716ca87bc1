using TicketToken.Host;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace TicketToken.Deployment.Tests;

/// <summary>
/// The chart rendered without helm, by Go's text/template and sprig (ChartRenderer, built by scripts/build-chart-renderer):
/// an approximation of `helm template` that catches template and YAML mistakes on every machine. HelmChartTests
/// keep the real helm leg where helm is installed.
/// </summary>
public sealed class ChartRendererTests(ITestOutputHelper output)
{
    private const string Chart = "helm/tickettoken";
    private static readonly string Renderer = Repository.PathOf("tests", "TicketToken.Deployment.Tests", "ChartRenderer", "bin", "chart-renderer");
    private static readonly string[] ModuleIds = HostModules.All().Select(m => m.AppId).ToArray();

    /// <summary>values.yaml alone, then each other values file of the chart laid over it, as `helm -f` does.</summary>
    public static TheoryData<string> ValuesFiles() => new(Directory.EnumerateFiles(Repository.PathOf(Chart), "values*.yaml")
        .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [ChartRendererTheory]
    [MemberData(nameof(ValuesFiles))]
    public void Every_values_file_renders_manifests_that_parse_and_every_module_has_its_sidecar_probes_and_a_pinned_image(string valuesFile)
    {
        output.WriteLine($"Rendered by the chart renderer (Go text/template + sprig from Debian), an approximation of helm template, with {valuesFile}.");
        var (exitCode, text) = Repository.Run(Renderer, [Chart, "tickettoken", "tickettoken", .. valuesFile == "values.yaml" ? Array.Empty<string>() : [$"{Chart}/{valuesFile}"]]);
        exitCode.Should().Be(0, text);

        // YamlDotNet refuses a mapping with a duplicate key, the mistake a throwaway renderer once found in this chart.
        var documents = Repository.DocumentsOf(text);
        documents.Should().NotBeEmpty();
        foreach (var document in documents)
        {
            document.Children.Keys.Select(k => k.ToString()).Should().Contain(["apiVersion", "kind", "metadata"]);
            ((YamlMappingNode)document["metadata"]).Children.Should().ContainKey(new YamlScalarNode("name"));
        }

        var values = Repository.Values(valuesFile == "values.yaml" ? ["values.yaml"] : ["values.yaml", valuesFile]);
        var enabled = ModuleIds.Where(id => values["modules"]?[id]?["enabled"]?.GetValue<bool>() != false).ToArray();
        enabled.Should().NotBeEmpty();
        foreach (var id in enabled)
        {
            var deployment = documents.Single(d => d["kind"].ToString() == "Deployment" && d["metadata"]["name"].ToString() == $"tickettoken-{id}");
            var pod = (YamlMappingNode)deployment["spec"]["template"];
            var annotations = (YamlMappingNode)pod["metadata"]["annotations"];
            annotations["dapr.io/enabled"].ToString().Should().Be("true");
            annotations["dapr.io/app-id"].ToString().Should().Be(id);
            annotations.Children.Should().ContainKey(new YamlScalarNode("dapr.io/app-port"));
            var container = (YamlMappingNode)((YamlSequenceNode)pod["spec"]["containers"]).Children.Single();
            container["livenessProbe"]["httpGet"]["path"].ToString().Should().Be("/healthz");
            container["readinessProbe"]["httpGet"]["path"].ToString().Should().Be("/readyz");
        }

        var images = documents.SelectMany(d => Images(d)).ToList();
        images.Should().NotBeEmpty();
        images.Should().AllSatisfy(image =>
        {
            image.Should().NotEndWith(":latest");
            image[(image.LastIndexOf('/') + 1)..].Should().Contain(":", "an image without a tag is :latest");
        });
    }

    [ChartRendererFact]
    public void The_renderer_stops_at_a_fail_in_the_chart_as_helm_does()
    {
        var values = Path.Combine(Path.GetTempPath(), $"tickettoken-values-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(values, "identity:\n  secretKey:\n    existingSecret: \"\"\n");
        try
        {
            var (exitCode, text) = Repository.Run(Renderer, Chart, "tt", "tt", values);
            exitCode.Should().NotBe(0);
            text.Should().Contain("identity.secretKey.existingSecret is empty");
        }
        finally
        {
            File.Delete(values);
        }
    }

    private static IEnumerable<string> Images(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.SelectMany(child => child.Key.ToString() == "image" && child.Value is YamlScalarNode scalar
            ? [scalar.Value ?? ""]
            : Images(child.Value)),
        YamlSequenceNode sequence => sequence.Children.SelectMany(Images),
        _ => [],
    };

    private static string? SkipReason() => File.Exists(Renderer)
        ? null
        : "SKIPPED: the chart renderer is not built here (scripts/build-chart-renderer builds it from Debian's golang-go and sprig; scripts/test does so); with it this test renders the chart, an approximation of helm template.";

    private sealed class ChartRendererFactAttribute : FactAttribute
    {
        public ChartRendererFactAttribute() => Skip = SkipReason();
    }

    private sealed class ChartRendererTheoryAttribute : TheoryAttribute
    {
        public ChartRendererTheoryAttribute() => Skip = SkipReason();
    }
}
