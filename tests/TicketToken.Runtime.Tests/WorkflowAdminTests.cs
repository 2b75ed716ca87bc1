using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketToken.BuildingBlocks.Workflows;
using TicketToken.BuildingBlocks.Workflows.Admin;
using TicketToken.Identity;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Runtime.ConformanceHost.Workflows;
using TicketToken.Testing;
using TicketToken.Testing.Identity;

namespace TicketToken.Runtime.Tests;

/// <summary>A host running identity and the conformance module's workflows, and a platform admin's token.</summary>
public sealed class WorkflowAdminFixture : IAsyncLifetime
{
    public PostgresDatabase Database { get; } = new();

    public TestHost Host { get; private set; } = null!;

    public Person Admin { get; private set; } = null!;

    public Person Fan { get; private set; } = null!;

    public IWorkflowClient Workflows => Host.GetKeyed<IWorkflowClient>(ConformanceModule.Id);

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await TestHost.StartAsync([new IdentityModule(), new ConformanceModule()], Database.ConnectionString);
        var personas = new Personas(Host.Client);
        Admin = await personas.PlatformAdminAsync();
        Fan = await personas.FanAsync();
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Database.DisposeAsync();
    }
}

/// <summary>What an SRE does with <c>dapr workflow</c>, through the admin API and the host's <c>workflows</c> command.</summary>
public sealed class WorkflowAdminTests(WorkflowAdminFixture fixture) : IClassFixture<WorkflowAdminFixture>
{
    private const string Base = "api/admin/workflows/" + ConformanceModule.Id;

    private static string NewId() => "admin-" + Guid.NewGuid().ToString("N");

    private async Task<string> StartWaitingAsync()
    {
        var id = await fixture.Workflows.ScheduleNewWorkflowAsync(nameof(ApprovalWorkflow), NewId(), new ApprovalInput(TimeoutMs: 600_000));
        await Eventually.TrueAsync(async () => (await fixture.Workflows.GetWorkflowStateAsync(id)).ReadCustomStatusAs<JsonObject>()?["stage"]?.GetValue<string>() == "waiting",
            "the instance waits for its approval");
        return id;
    }

    private async Task<JsonObject> AdminGetAsync(string path)
    {
        using var response = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Get, path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<List<string>> ListedAsync(string query)
    {
        // The catalogue row is written after the instance is committed: poll until it shows what the instance says.
        var page = await AdminGetAsync($"{Base}/?{query}&limit=200");
        return [.. page["items"]!.AsArray().Select(i => i!["instanceId"]!.GetValue<string>())];
    }

    [Fact]
    public async Task An_admin_lists_by_workflow_and_status_shows_the_history_raises_the_event_and_purges_the_finished_instance()
    {
        var id = await StartWaitingAsync();

        await Eventually.TrueAsync(async () => (await ListedAsync("name=ApprovalWorkflow&status=Running")).Contains(id), "listed as running");
        (await ListedAsync("name=ThreeStepWorkflow&status=Running")).Should().NotContain(id);

        var shown = await AdminGetAsync($"{Base}/{id}");
        shown["state"]!["runtimeStatus"]!.GetValue<string>().Should().Be("Running");
        shown["state"]!["customStatus"]!["stage"]!.GetValue<string>().Should().Be("waiting");
        shown["history"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).Should().StartWith("started").And.Contain("timerCreated");

        using (var raised = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Post, $"{Base}/{id}/events/approval", new { payload = "the on-call SRE" }))
        {
            raised.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        var done = await fixture.Workflows.WaitForWorkflowCompletionAsync(id);
        done.ReadOutputAs<string>().Should().Be("approved by the on-call SRE");
        await Eventually.TrueAsync(async () => (await ListedAsync("status=Completed")).Contains(id), "listed as completed");
        (await AdminGetAsync($"{Base}/{id}"))["history"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).Should().Contain("eventRaised").And.EndWith("completed");

        using (var purged = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Delete, $"{Base}/{id}"))
        {
            purged.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        using var gone = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Get, $"{Base}/{id}");
        (await Problem.ReadAsync(gone)).Code.Should().Be("workflow_not_found");
        (await ListedAsync("name=ApprovalWorkflow")).Should().NotContain(id, "a purged instance leaves the catalogue");
    }

    [Fact]
    public async Task A_running_instance_cannot_be_purged_until_it_is_terminated()
    {
        var id = await StartWaitingAsync();

        using var early = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Delete, $"{Base}/{id}");
        using var terminated = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Post, $"{Base}/{id}/terminate", new { reason = "stuck payment" });

        (await Problem.ReadAsync(early)).Code.Should().Be("workflow_running");
        terminated.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var state = await fixture.Workflows.GetWorkflowStateAsync(id);
        state.RuntimeStatus.Should().Be(WorkflowRuntimeStatus.Terminated);
        state.ReadOutputAs<JsonObject>()!["reason"]!.GetValue<string>().Should().Be("stuck payment");
        await Eventually.TrueAsync(async () => (await ListedAsync("status=Terminated")).Contains(id), "listed as terminated");
        using var purged = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Delete, $"{Base}/{id}");
        purged.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Only_platform_admins_reach_the_workflow_admin_api_and_bad_input_is_a_problem()
    {
        using var fan = await fixture.Host.Client.SendAsync(fixture.Fan, HttpMethod.Get, $"{Base}/");
        using var anonymous = await fixture.Host.Client.GetAsync($"{Base}/");
        using var unknown = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Post, $"{Base}/no-such-instance/events/approval", new { payload = 1 });
        using var badCursor = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Get, $"{Base}/?cursor=%%%");
        using var badLimit = await fixture.Host.Client.SendAsync(fixture.Admin, HttpMethod.Get, $"{Base}/?limit=0");

        fan.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Problem.ReadAsync(unknown)).Code.Should().Be("workflow_not_found");
        badCursor.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Problem.ReadAsync(badLimit)).Code.Should().Be("invalid_limit");
    }

    [Fact]
    public async Task The_workflows_command_lists_shows_raises_terminates_and_purges_like_dapr_workflow()
    {
        var (approved, stopped) = (await StartWaitingAsync(), await StartWaitingAsync());
        string[] common = ["--url", fixture.Host.BaseAddress.ToString(), "--token", fixture.Admin.AccessToken];

        await Eventually.TrueAsync(async () => (await RunAsync(["list", ConformanceModule.Id, "--name", "ApprovalWorkflow", "--status", "Running", .. common])).Output.Contains(approved, StringComparison.Ordinal),
            "the command lists the running instance");
        var shown = await RunAsync(["show", ConformanceModule.Id, approved, .. common]);
        var raised = await RunAsync(["raise", ConformanceModule.Id, approved, "approval", "--payload", "\"the CLI\"", .. common]);
        var terminated = await RunAsync(["terminate", ConformanceModule.Id, stopped, "--reason", "drill", .. common]);
        await fixture.Workflows.WaitForWorkflowCompletionAsync(approved);
        var purged = await RunAsync(["purge", ConformanceModule.Id, stopped, .. common]);
        var refused = await RunAsync(["show", ConformanceModule.Id, stopped, .. common]);
        var usage = await RunAsync(["show", ConformanceModule.Id]);
        var anonymous = await RunAsync(["list", ConformanceModule.Id, "--url", fixture.Host.BaseAddress.ToString(), "--token", ""]);

        shown.Code.Should().Be(0);
        JsonNode.Parse(shown.Output)!["state"]!["customStatus"]!["stage"]!.GetValue<string>().Should().Be("waiting");
        raised.Code.Should().Be(0);
        (await fixture.Workflows.GetWorkflowStateAsync(approved)).ReadOutputAs<string>().Should().Be("approved by the CLI");
        terminated.Code.Should().Be(0);
        purged.Code.Should().Be(0);
        (refused.Code, refused.Error).Should().Match<(int, string)>(r => r.Item1 == 1 && r.Item2.Contains("workflow_not_found"));
        usage.Code.Should().Be(2);
        anonymous.Code.Should().Be(1);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await WorkflowCommand.RunAsync(args, output, error, environment: _ => null);
        return (code, output.ToString(), error.ToString());
    }
}
