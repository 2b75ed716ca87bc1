using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TicketToken.Host;
using YamlDotNet.RepresentationModel;

namespace TicketToken.Deployment.Tests;

/// <summary>
/// The deployment files checked without a cluster: they parse, they render, they agree with each other and with
/// the host. The Helm templates themselves render only where helm is installed (see HelmChartTests).
/// </summary>
public sealed class DeploymentFilesTests
{
    private static readonly string[] ModuleIds = HostModules.All().Select(m => m.AppId).ToArray();

    public static TheoryData<string> YamlFiles()
    {
        var data = new TheoryData<string>();
        var files = new[] { "components", "k8s", "helm" }
            .SelectMany(folder => Repository.Files(folder, "*.y*ml"))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}templates{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Repository.PathOf("dapr.yaml"));
        foreach (var file in files)
        {
            data.Add(Path.GetRelativePath(Repository.Root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Every_yaml_file_parses(string file)
    {
        var documents = Repository.Documents(Repository.PathOf(file));

        documents.Should().NotBeEmpty();
    }

    [Fact]
    public void Every_kubernetes_and_dapr_manifest_names_its_kind_and_api_version()
    {
        var manifests = new[] { "components", "k8s" }.SelectMany(folder => Repository.Files(folder, "*.yaml"))
            .Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal) && !f.EndsWith(Path.Combine("kind", "cluster.yaml"), StringComparison.Ordinal))
            .SelectMany(Repository.Documents);

        manifests.Should().OnlyContain(d => d.Children.ContainsKey("apiVersion") && d.Children.ContainsKey("kind") && d.Children.ContainsKey("metadata"));
    }

    [ToolFact("kubectl")]
    public void Kustomize_renders_the_development_cluster()
    {
        var (exitCode, output) = Repository.Run("kubectl", "kustomize", "k8s");

        exitCode.Should().Be(0, output);
        var kinds = Repository.DocumentsOf(output).Select(d => $"{d["kind"]}/{d["metadata"]["name"]}").ToList();
        kinds.Should().Contain(["Namespace/tickettoken", "Namespace/tickettoken-infra", "StatefulSet/postgres", "Deployment/redis",
            "StatefulSet/rabbitmq", "Deployment/zipkin", "Secret/tickettoken-postgres", "Secret/tickettoken-redis", "Secret/tickettoken-rabbitmq", "Secret/tickettoken-identity",
            "Secret/tickettoken-tickets", "Secret/tickettoken-scanning", "Secret/tickettoken-payments"]);
    }

    [Fact]
    public void The_chart_values_validate_against_the_schema_for_the_defaults_and_for_kind()
    {
        var validator = Schema();

        validator.UnknownKeywords().Should().BeEmpty("the schema uses only what the validator understands");
        validator.Validate(Repository.Values("values.yaml")).Should().BeEmpty();
        validator.Validate(Repository.Values("values.yaml", "values-kind.yaml")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("image", "tag", "latest", "refused by")]
    [InlineData("image", "tag", "", "shorter than")]
    [InlineData("dapr", "stateStore", "mongodb", "is not one of")]
    [InlineData("dapr", "pubsub", "postgresql", "is not one of")]
    [InlineData("app", "logFormat", "xml", "is not one of")]
    public void The_schema_refuses_values_that_would_not_work(string section, string key, string value, string error)
    {
        var values = Repository.Values("values.yaml");
        values[section]![key] = value;

        Schema().Validate(values).Should().Contain(e => e.Contains(error, StringComparison.Ordinal));
    }

    [Fact]
    public void The_schema_refuses_unknown_settings_and_malformed_modules()
    {
        var values = Repository.Values("values.yaml");
        values["replicaCount"] = 3;
        values["modules"]!["Bad_Name"] = values["modules"]!["identity"]!.DeepClone();
        values["modules"]!["Bad_Name"]!["ingressPaths"] = new JsonArray();
        values["modules"]!["identity"]!["ingressPaths"] = new JsonArray("/auth");
        values["identity"]!["platformAdmins"] = new JsonArray("not an address");

        var errors = Schema().Validate(values);

        errors.Should().Contain(e => e.Contains("unknown property 'replicaCount'", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Bad_Name (name)", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("ingressPaths[0]", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("Bad_Name.ingressPaths: needs at least 1 items", StringComparison.Ordinal));
        errors.Should().Contain(e => e.Contains("platformAdmins[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_module_of_the_host_is_in_the_chart()
    {
        foreach (var file in new[] { "values.yaml", "values-kind.yaml" })
        {
            var modules = Repository.Values(file)["modules"]!.AsObject();
            modules.Select(m => m.Key).Should().BeEquivalentTo(ModuleIds, $"{file} lists every module the host can run, and nothing else");
        }
    }

    [Theory]
    [InlineData("values.yaml")]
    [InlineData("values-kind.yaml")]
    public void The_ingress_sends_every_route_of_a_module_to_that_module(string file)
    {
        var values = Repository.Values(file);
        var claims = values["modules"]!.AsObject()
            .SelectMany(m => m.Value!["ingressPaths"]!.AsArray().Select(p => (Module: m.Key, Path: p!.GetValue<string>())))
            .ToList();
        claims.Select(c => c.Path).Should().OnlyHaveUniqueItems($"{file}: an ingress path belongs to one module");

        foreach (var (module, routes) in ModuleRoutes.All)
        {
            routes.Should().NotBeEmpty($"{module} maps its API");
            foreach (var route in routes)
            {
                // Kubernetes sends a request to the longest Prefix path that matches it.
                var owner = claims.Where(c => ModuleRoutes.IsUnder(route, c.Path))
                    .OrderByDescending(c => c.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Length).Select(c => c.Module).FirstOrDefault();
                owner.Should().Be(module, $"{file}: the route {route.RawText} of {module} must be under one of modules.{module}.ingressPaths");
            }
        }

        foreach (var (module, path) in claims)
        {
            ModuleRoutes.All.GetValueOrDefault(module, []).Where(route => ModuleRoutes.IsUnder(route, path)).Select(route => route.RawText)
                .Should().NotBeEmpty($"{file}: modules.{module}.ingressPaths has {path}, which none of its routes is under");
        }
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("tickets")]
    [InlineData("scanning")]
    public void The_chart_takes_a_modules_secret_key_from_a_secret_and_the_development_cluster_has_one(string module)
    {
        var secretKey = Repository.Values("values.yaml", "values-kind.yaml")[module]!["secretKey"]!;
        var devSecrets = Repository.Documents(Repository.PathOf("k8s", "dev-secrets", "secrets.yaml"));

        var secret = devSecrets.Single(d => d["metadata"]["name"].ToString() == secretKey["existingSecret"]!.GetValue<string>());
        var value = ((YamlMappingNode)secret["stringData"])[secretKey["key"]!.GetValue<string>()].ToString();
        Convert.FromBase64String(value).Should().HaveCount(32, "a module's SecretKey is the base64 of 32 bytes");
        Repository.Read("helm", "tickettoken", "values.yaml").Should().NotContain(value, "the chart references the Secret and never holds the key");
    }

    [Fact]
    public void The_chart_takes_the_payments_secrets_from_secrets_and_the_development_cluster_has_its_webhook_secret()
    {
        var kind = Repository.Values("values.yaml", "values-kind.yaml")["payments"]!;
        var devSecrets = Repository.Documents(Repository.PathOf("k8s", "dev-secrets", "secrets.yaml"));

        kind["gateway"]!.GetValue<string>().Should().Be("simulated", "the development cluster has no Stripe account");
        var webhookSecret = kind["webhookSecret"]!;
        var secret = devSecrets.Single(d => d["metadata"]["name"].ToString() == webhookSecret["existingSecret"]!.GetValue<string>());
        var value = ((YamlMappingNode)secret["stringData"])[webhookSecret["key"]!.GetValue<string>()].ToString();
        value.Should().StartWith("whsec_", "the simulated gateway signs its webhooks with it as Stripe would");
        Repository.Read("helm", "tickettoken", "values.yaml").Should().NotContain(value, "the chart references the Secret and never holds the secret");
        Repository.Values("values.yaml")["payments"]!["gateway"]!.GetValue<string>().Should().Be("stripe", "a production install takes real money unless told otherwise");
    }

    [Fact]
    public void Every_module_is_in_the_scopes_of_every_component_and_the_resiliency_targets()
    {
        foreach (var file in Repository.Files("components", "*.yaml").Where(f => Repository.Documents(f).Single()["kind"].ToString() != "Configuration"))
        {
            var document = Repository.Documents(file).Single();
            if (!document.Children.ContainsKey("scopes"))
            {
                document["metadata"]["name"].ToString().Should().Be("secrets", $"{file} has no scopes; only the laptop secret store may do without");
                continue;
            }

            var scopes = ((YamlSequenceNode)document["scopes"]).Children.Select(s => s.ToString());
            scopes.Should().BeEquivalentTo(ModuleIds, $"{Path.GetRelativePath(Repository.Root, file)} is scoped to exactly the modules");
        }

        var targets = Repository.ToJson(Repository.Documents(Repository.PathOf("components", "common", "resiliency.yaml")).Single())!["spec"]!["targets"]!;
        targets["apps"]!.AsObject().Select(a => a.Key).Should().BeEquivalentTo(ModuleIds);
    }

    [Fact]
    public void The_dapr_run_file_starts_every_module_on_its_own_ports()
    {
        var run = Repository.ToJson(Repository.Documents(Repository.PathOf("dapr.yaml")).Single())!;
        var apps = run["apps"]!.AsArray().Select(a => a!.AsObject()).ToList();

        apps.Select(a => a["appID"]!.GetValue<string>()).Should().BeEquivalentTo(ModuleIds);
        apps.Select(a => a["appPort"]!.GetValue<long>()).Should().OnlyHaveUniqueItems();
        apps.Select(a => a["daprHTTPPort"]!.GetValue<long>()).Should().OnlyHaveUniqueItems();
        apps.Should().OnlyContain(a => a["env"]!["TICKETTOKEN__SERVICES"]!.GetValue<string>() == a["appID"]!.GetValue<string>());
        run["common"]!["resourcesPaths"]!.AsArray().Select(p => p!.GetValue<string>())
            .Should().OnlyContain(p => Directory.Exists(Repository.PathOf(p.TrimStart('.', '/'))));
    }

    [Fact]
    public void The_components_the_chart_installs_are_the_components_folder()
    {
        var chartFiles = Repository.Files(Path.Combine("helm", "tickettoken", "files", "components"), "*.yaml")
            .Select(f => Path.GetRelativePath(Repository.PathOf("helm", "tickettoken", "files", "components"), f)).ToList();
        var expected = Repository.Files("components", "*.yaml")
            .Select(f => Path.GetRelativePath(Repository.PathOf("components"), f))
            .Where(f => f.StartsWith("state", StringComparison.Ordinal) || f.StartsWith("pubsub", StringComparison.Ordinal) || f == Path.Combine("common", "resiliency.yaml"))
            .ToList();

        chartFiles.Should().BeEquivalentTo(expected, "run scripts/sync-components after changing components/");
        foreach (var file in expected)
        {
            Repository.Read("helm", "tickettoken", "files", "components", file).Should().Be(Repository.Read("components", file),
                $"helm/tickettoken/files/components/{file} must equal components/{file} (run scripts/sync-components)");
        }
    }

    [Fact]
    public void Every_backend_the_schema_allows_has_its_component()
    {
        var dapr = Schema().Root["properties"]!["dapr"]!["properties"]!;

        foreach (var store in dapr["stateStore"]!["enum"]!.AsArray().Select(s => s!.GetValue<string>()))
        {
            File.Exists(Repository.PathOf("components", "state", store, "statestore.yaml")).Should().BeTrue($"stateStore {store} needs components/state/{store}");
        }

        foreach (var broker in dapr["pubsub"]!["enum"]!.AsArray().Select(s => s!.GetValue<string>()))
        {
            File.Exists(Repository.PathOf("components", "pubsub", broker, "pubsub.yaml")).Should().BeTrue($"pubsub {broker} needs components/pubsub/{broker}");
        }

        Repository.Files("components", "statestore.yaml").Select(Repository.Documents).Select(d => d.Single())
            .Should().OnlyContain(d => ((YamlSequenceNode)d["spec"]["metadata"]).Children.OfType<YamlMappingNode>()
                .Any(m => m["name"].ToString() == "actorStateStore" && m["value"].ToString() == "true"), "actors and workflows need the state store to host actor state");
    }

    [Fact]
    public void The_images_run_the_host_on_the_port_the_chart_expects_as_a_non_root_user()
    {
        var port = Repository.Values("values.yaml")["containerPort"]!.GetValue<long>();
        foreach (var dockerfile in new[] { "Dockerfile", Path.Combine("tilt", "Dockerfile.dev") })
        {
            var text = Repository.Read(dockerfile);

            Regex.Match(text, @"ENTRYPOINT \[""dotnet"", ""(?:/app/)?(?<dll>[^""]+)""\]").Groups["dll"].Value
                .Should().Be(typeof(HostModules).Assembly.GetName().Name + ".dll", $"{dockerfile} starts the host");
            text.Should().Contain($"EXPOSE {port}").And.Contain($"ASPNETCORE_URLS=http://+:{port}");
            Regex.Match(text, @"^USER (\d+)", RegexOptions.Multiline).Groups[1].Value.Should().NotBeEmpty().And.NotBe("0");
            Regex.Matches(text, @"^FROM (\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value)
                .Should().OnlyContain(image => image.Contains(':') && !image.EndsWith(":latest", StringComparison.Ordinal));
        }

        Repository.Values("values.yaml")["podSecurityContext"]!["runAsUser"]!.GetValue<long>().Should().Be(1654, "the chart runs the image's own non-root user");
    }

    [Fact]
    public void The_kind_cluster_maps_the_node_ports_the_tiltfile_gives_the_ingress_controller()
    {
        var tiltfile = Repository.Read("Tiltfile");
        var cluster = Repository.ToJson(Repository.Documents(Repository.PathOf("k8s", "kind", "cluster.yaml")).Single())!;
        var mapped = cluster["nodes"]!.AsArray().SelectMany(n => n!["extraPortMappings"]?.AsArray() ?? []).Select(m => m!["containerPort"]!.GetValue<long>()).ToList();

        foreach (Match nodePort in Regex.Matches(tiltfile, @"nodePort=(\d+)"))
        {
            mapped.Should().Contain(long.Parse(nodePort.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        tiltfile.Should().Contain("k8s/kind/cluster.yaml").And.Contain("helm/tickettoken/values-kind.yaml");
    }

    [ToolFact("kubectl")]
    public void The_tiltfile_names_infrastructure_that_exists()
    {
        var (_, output) = Repository.Run("kubectl", "kustomize", "k8s");
        var workloads = Repository.DocumentsOf(output)
            .Where(d => d["kind"].ToString() is "Deployment" or "StatefulSet")
            .Select(d => d["metadata"]["name"].ToString()).ToList();

        var named = Regex.Matches(Repository.Read("Tiltfile"), @"k8s_resource\('([a-z-]+)'[,)]").Select(m => m.Groups[1].Value).ToList();

        named.Should().NotBeEmpty().And.OnlyContain(name => workloads.Contains(name));
    }

    [Fact]
    public void Every_value_of_the_chart_is_explained_in_the_deployment_guide()
    {
        var guide = Repository.Read("docs", "deployment.md");
        var missing = Leaves(Repository.Values("values.yaml"), "")
            .Select(path => Regex.Replace(path, @"^modules\.[a-z0-9-]+", "modules.<app-id>"))
            .Distinct()
            .Where(path => !guide.Contains($"`{path}`", StringComparison.Ordinal))
            .ToList();

        missing.Should().BeEmpty("docs/deployment.md has a row for every value");
    }

    [Fact]
    public void Every_setting_the_schema_allows_is_explained_in_the_deployment_guide()
    {
        var guide = Repository.Read("docs", "deployment.md");
        var schema = Schema().Root;
        var missing = SchemaPaths(schema, schema, "").Where(path => !guide.Contains($"`{path}`", StringComparison.Ordinal)).ToList();

        missing.Should().BeEmpty("docs/deployment.md explains every setting the chart accepts");
    }

    private static JsonSchemaValidator Schema() =>
        new((JsonObject)JsonNode.Parse(Repository.Read("helm", "tickettoken", "values.schema.json"))!);

    /// <summary>The settings a schema accepts, as dotted paths; a module's settings appear as <c>modules.&lt;app-id&gt;.*</c>.</summary>
    private static IEnumerable<string> SchemaPaths(JsonObject root, JsonNode? node, string path)
    {
        var schema = node as JsonObject;
        if (schema?["$ref"] is JsonValue reference)
        {
            schema = (JsonObject)reference.GetValue<string>().TrimStart('#', '/').Split('/').Aggregate((JsonNode)root, (n, key) => n[key]!);
        }

        if (path == "modules")
        {
            return SchemaPaths(root, schema!["additionalProperties"], "modules.<app-id>");
        }

        if (schema?["properties"] is not JsonObject properties || path.EndsWith("resources", StringComparison.Ordinal))
        {
            return [path];
        }

        return properties.SelectMany(p => SchemaPaths(root, p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}"));
    }

    private static IEnumerable<string> Leaves(JsonNode? node, string path) => node switch
    {
        JsonObject map when map.Count > 0 && !path.EndsWith("resources", StringComparison.Ordinal) && !path.EndsWith("Context", StringComparison.Ordinal) && !path.EndsWith(".env", StringComparison.Ordinal)
            => map.SelectMany(child => Leaves(child.Value, path.Length == 0 ? child.Key : $"{path}.{child.Key}")),
        _ => [path],
    };
}
