using TicketToken.Host;
using YamlDotNet.RepresentationModel;

namespace TicketToken.Deployment.Tests;

/// <summary>The chart as Helm renders it. These run wherever helm is installed and say so when it is not.</summary>
public sealed class HelmChartTests
{
    private const string Chart = "helm/tickettoken";
    private static readonly string[] ModuleIds = HostModules.All().Select(m => m.AppId).ToArray();

    [ToolFact("helm")]
    public void Helm_lints_the_chart_with_the_default_and_the_kind_values()
    {
        Helm("lint", Chart, "--strict").ExitCode.Should().Be(0);
        Helm("lint", Chart, "--strict", "-f", $"{Chart}/values-kind.yaml").ExitCode.Should().Be(0);
    }

    [ToolFact("helm")]
    public void Every_module_renders_as_a_deployment_with_its_sidecar_probes_service_and_ingress_path()
    {
        var documents = Render();
        var port = Repository.Values("values.yaml")["containerPort"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);

        foreach (var id in ModuleIds)
        {
            var deployment = documents.Single(d => Kind(d) == "Deployment" && Name(d) == $"tickettoken-{id}");
            var pod = (YamlMappingNode)deployment["spec"]["template"];
            var annotations = (YamlMappingNode)pod["metadata"]["annotations"];
            annotations["dapr.io/enabled"].ToString().Should().Be("true");
            annotations["dapr.io/app-id"].ToString().Should().Be(id);
            annotations["dapr.io/app-port"].ToString().Should().Be(port);
            var container = (YamlMappingNode)((YamlSequenceNode)pod["spec"]["containers"]).Children.Single();
            var env = ((YamlSequenceNode)container["env"]).Children.OfType<YamlMappingNode>().ToDictionary(e => e["name"].ToString(), e => e);
            env["TICKETTOKEN__SERVICES"]["value"].ToString().Should().Be(id);
            env["TICKETTOKEN__RUNTIME"]["value"].ToString().Should().Be("dapr");
            env["TICKETTOKEN__POSTGRES"].Children.Should().ContainKey(new YamlScalarNode("valueFrom"), "the connection string comes from a Secret");
            container["livenessProbe"]["httpGet"]["path"].ToString().Should().Be("/healthz");
            container["readinessProbe"]["httpGet"]["path"].ToString().Should().Be("/readyz");
            container["image"].ToString().Should().NotEndWith(":latest");
            documents.Should().Contain(d => Kind(d) == "Service" && Name(d) == $"tickettoken-{id}");
            documents.Should().Contain(d => Kind(d) == "PodDisruptionBudget" && Name(d) == $"tickettoken-{id}");
        }

        var ingress = documents.Single(d => Kind(d) == "Ingress");
        var paths = ((YamlSequenceNode)ingress["spec"]["rules"][0]["http"]["paths"]).Children
            .Select(p => (Path: p["path"].ToString(), Service: p["backend"]["service"]["name"].ToString()));
        var modules = Repository.Values("values.yaml")["modules"]!.AsObject();
        paths.Should().BeEquivalentTo(ModuleIds.SelectMany(id => modules[id]!["ingressPaths"]!.AsArray().Select(p => (Path: p!.GetValue<string>(), Service: $"tickettoken-{id}"))));
    }

    [ToolFact("helm")]
    public void Only_the_identity_container_gets_the_identity_secret_key_and_platform_admins()
    {
        var admins = Path.Combine(Path.GetTempPath(), $"tickettoken-admins-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(admins, "identity:\n  platformAdmins: [ops@example.com, boss@example.com]\n");
        try
        {
            var documents = Render("-f", admins);

            foreach (var id in ModuleIds)
            {
                var env = Env(documents, id);
                if (id == "identity")
                {
                    env["TICKETTOKEN__IDENTITY__SECRETKEY"]["valueFrom"]["secretKeyRef"]["name"].ToString().Should().Be("tickettoken-identity");
                    env["TICKETTOKEN__IDENTITY__SECRETKEY"]["valueFrom"]["secretKeyRef"]["key"].ToString().Should().Be("secretKey");
                    env["TICKETTOKEN__IDENTITY__PLATFORMADMINS__0"]["value"].ToString().Should().Be("ops@example.com");
                    env["TICKETTOKEN__IDENTITY__PLATFORMADMINS__1"]["value"].ToString().Should().Be("boss@example.com");
                }
                else
                {
                    env.Keys.Should().NotContain(name => name.StartsWith("TICKETTOKEN__IDENTITY__", StringComparison.Ordinal), "{0} does not need identity's secrets", id);
                }
            }
        }
        finally
        {
            File.Delete(admins);
        }
    }

    [ToolFact("helm")]
    public void Only_the_tickets_scanning_minting_and_notifications_containers_get_their_own_secret_key()
    {
        var documents = Render();

        foreach (var module in new[] { "tickets", "scanning", "minting", "notifications" })
        {
            var setting = $"TICKETTOKEN__{module.ToUpperInvariant()}__";
            foreach (var id in ModuleIds)
            {
                var env = Env(documents, id);
                if (id == module)
                {
                    env[setting + "SECRETKEY"]["valueFrom"]["secretKeyRef"]["name"].ToString().Should().Be($"tickettoken-{module}");
                    env[setting + "SECRETKEY"]["valueFrom"]["secretKeyRef"]["key"].ToString().Should().Be("secretKey");
                }
                else
                {
                    env.Keys.Should().NotContain(name => name.StartsWith(setting, StringComparison.Ordinal), "{0} does not need the {1} module's secret", id, module);
                }
            }
        }
    }

    [ToolFact("helm")]
    public void The_notifications_container_gets_the_smtp_server_and_its_credentials_only_when_a_secret_names_them()
    {
        var anonymous = Env(Render("--set", "notifications.smtp.host=mail.example.org"), "notifications");
        var authenticated = Env(Render("--set", "notifications.smtp.credentialsSecret=tickettoken-smtp"), "notifications");

        anonymous["TICKETTOKEN__NOTIFICATIONS__SMTP__HOST"]["value"].ToString().Should().Be("mail.example.org");
        anonymous["TICKETTOKEN__NOTIFICATIONS__SMTP__TLSMODE"]["value"].ToString().Should().Be("StartTls");
        anonymous.Should().NotContainKey("TICKETTOKEN__NOTIFICATIONS__SMTP__PASSWORD");
        authenticated["TICKETTOKEN__NOTIFICATIONS__SMTP__USERNAME"]["valueFrom"]["secretKeyRef"]["name"].ToString().Should().Be("tickettoken-smtp");
        authenticated["TICKETTOKEN__NOTIFICATIONS__SMTP__PASSWORD"]["valueFrom"]["secretKeyRef"]["key"].ToString().Should().Be("password");
    }

    [ToolFact("helm")]
    public void Only_the_payments_container_gets_the_payments_secrets_and_the_stripe_key_only_on_the_stripe_gateway()
    {
        var stripe = Render();
        var simulated = Env(Render("--set", "payments.gateway=simulated"), "payments");

        foreach (var id in ModuleIds)
        {
            var env = Env(stripe, id);
            if (id == "payments")
            {
                env["TICKETTOKEN__PAYMENTS__GATEWAY"]["value"].ToString().Should().Be("stripe");
                env["TICKETTOKEN__PAYMENTS__STRIPE__SECRETKEY"]["valueFrom"]["secretKeyRef"]["name"].ToString().Should().Be("tickettoken-payments");
                env["TICKETTOKEN__PAYMENTS__STRIPE__SECRETKEY"]["valueFrom"]["secretKeyRef"]["key"].ToString().Should().Be("stripeSecretKey");
                env["TICKETTOKEN__PAYMENTS__WEBHOOKSECRET"]["valueFrom"]["secretKeyRef"]["name"].ToString().Should().Be("tickettoken-payments");
                env["TICKETTOKEN__PAYMENTS__WEBHOOKSECRET"]["valueFrom"]["secretKeyRef"]["key"].ToString().Should().Be("webhookSecret");
            }
            else
            {
                env.Keys.Should().NotContain(name => name.StartsWith("TICKETTOKEN__PAYMENTS__", StringComparison.Ordinal), "{0} does not need payments' secrets", id);
            }
        }

        simulated["TICKETTOKEN__PAYMENTS__GATEWAY"]["value"].ToString().Should().Be("simulated");
        simulated.Should().ContainKey("TICKETTOKEN__PAYMENTS__WEBHOOKSECRET").And.NotContainKey("TICKETTOKEN__PAYMENTS__STRIPE__SECRETKEY");
    }

    [ToolFact("helm")]
    public void The_chosen_backends_decide_which_components_are_installed()
    {
        var redis = Render();
        var others = Render("--set", "dapr.stateStore=postgresql", "--set", "dapr.pubsub=rabbitmq");

        Component(redis, "statestore").Should().Be("state.redis");
        Component(redis, "pubsub").Should().Be("pubsub.redis");
        Component(others, "statestore").Should().Be("state.postgresql");
        Component(others, "pubsub").Should().Be("pubsub.rabbitmq");
        Component(redis, "secrets").Should().Be("secretstores.kubernetes");
        redis.Should().Contain(d => Kind(d) == "Resiliency").And.Contain(d => Kind(d) == "Configuration");
    }

    [ToolFact("helm")]
    public void Helm_refuses_values_that_would_not_work()
    {
        Helm("template", "tt", Chart, "--set", "image.tag=latest").Output.Should().Contain("latest");
        Helm("template", "tt", Chart, "--set", "dapr.pubsub=postgresql").ExitCode.Should().NotBe(0);
        Helm("template", "tt", Chart, "--set", "modules.identity.replicas=1", "--set", "modules.identity.podDisruptionBudget.minAvailable=1")
            .Output.Should().Contain("could ever be drained");
        Helm([.. new[] { "template", "tt", Chart }.Concat(ModuleIds.SelectMany(id => new[] { "--set", $"modules.{id}.enabled=false" }))]).Output.Should().Contain("no module is enabled");
        Helm("template", "tt", Chart, "--set", "identity.secretKey.existingSecret=").Output.Should().Contain("identity.secretKey.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "tickets.secretKey.existingSecret=").Output.Should().Contain("tickets.secretKey.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "scanning.secretKey.existingSecret=").Output.Should().Contain("scanning.secretKey.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "notifications.secretKey.existingSecret=").Output.Should().Contain("notifications.secretKey.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "notifications.smtp.host=").Output.Should().Contain("notifications.smtp.host is empty");
        Helm("template", "tt", Chart, "--set", "payments.webhookSecret.existingSecret=").Output.Should().Contain("payments.webhookSecret.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "payments.stripeSecretKey.existingSecret=").Output.Should().Contain("payments.stripeSecretKey.existingSecret is empty");
        Helm("template", "tt", Chart, "--set", "payments.gateway=simulated", "--set", "payments.stripeSecretKey.existingSecret=").ExitCode.Should().Be(0);
    }

    private static (int ExitCode, string Output) Helm(params string[] arguments) => Repository.Run("helm", arguments);

    private static IReadOnlyList<YamlMappingNode> Render(params string[] extra)
    {
        var (exitCode, output) = Helm(["template", "tickettoken", Chart, "--namespace", "tickettoken", .. extra]);
        exitCode.Should().Be(0, output);
        return Repository.DocumentsOf(output);
    }

    private static Dictionary<string, YamlMappingNode> Env(IEnumerable<YamlMappingNode> documents, string id)
    {
        var deployment = documents.Single(d => Kind(d) == "Deployment" && Name(d) == $"tickettoken-{id}");
        var container = (YamlMappingNode)((YamlSequenceNode)deployment["spec"]["template"]["spec"]["containers"]).Children.Single();
        return ((YamlSequenceNode)container["env"]).Children.OfType<YamlMappingNode>().ToDictionary(e => e["name"].ToString(), e => e);
    }

    private static string Kind(YamlMappingNode document) => document["kind"].ToString();

    private static string Name(YamlMappingNode document) => document["metadata"]["name"].ToString();

    private static string Component(IEnumerable<YamlMappingNode> documents, string name) =>
        documents.Single(d => Kind(d) == "Component" && Name(d) == name)["spec"]["type"].ToString();
}
