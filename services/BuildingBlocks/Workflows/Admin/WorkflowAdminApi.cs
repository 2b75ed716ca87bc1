using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Http;
using TicketToken.BuildingBlocks.Security;
using TicketToken.BuildingBlocks.ServiceDefaults;
using TicketToken.BuildingBlocks.Workflows.Engine;

namespace TicketToken.BuildingBlocks.Workflows.Admin;

/// <summary>A workflow instance as the admin API shows it: what <c>dapr workflow get</c> shows, plus the history.</summary>
public sealed record WorkflowInstanceView(WorkflowState State, IReadOnlyList<JsonElement> History);

public sealed record RaiseWorkflowEvent(JsonElement? Payload);

public sealed record TerminateWorkflow(string? Reason);

/// <summary>
/// What an SRE does with <c>dapr workflow</c>, for each module that runs workflows, under
/// <c>/api/admin/workflows/{app-id}</c> (so the ingress sends it to the module that owns the instances): list by
/// workflow and status, show one with its history and custom status, raise an event, terminate, purge.
/// Platform admins only.
/// </summary>
public static class WorkflowAdminApi
{
    public static RouteGroupBuilder MapWorkflowAdminApi(this IEndpointRouteBuilder app, string appId)
    {
        var group = app.MapGroup($"/api/admin/workflows/{appId}").WithTags("Workflow administration").RequireAuthorization(Policies.PlatformAdmin);
        group.MapGet("/", (string? name, WorkflowRuntimeStatus? status, string? cursor, int? limit, WorkflowCatalog catalog, CancellationToken cancellationToken) =>
                ListAsync(appId, name, status, cursor, limit, catalog, cancellationToken))
            .WithName($"ListWorkflows{Pascal(appId)}")
            .WithSummary($"The {appId} module's workflow instances, newest first; filter by workflow name and runtime status (cursor pagination).")
            .Problems(WorkflowAdminProblems.InvalidLimit, WorkflowAdminProblems.InvalidCursor);
        group.MapGet("/{instanceId}", (string instanceId, IActorProxyFactory actors) => ShowAsync(appId, instanceId, actors))
            .WithName($"ShowWorkflow{Pascal(appId)}")
            .WithSummary("One instance: status, custom status, input, output, failure and its whole history.")
            .Problems(AnyWorkflowNotFound);
        group.MapPost("/{instanceId}/events/{eventName}", (string instanceId, string eventName, RaiseWorkflowEvent? body, IServiceProvider services) =>
                RaiseAsync(appId, instanceId, eventName, body, services))
            .WithName($"RaiseWorkflowEvent{Pascal(appId)}")
            .WithSummary("Raises an external event for the instance (a finished instance ignores it).")
            .Problems(AnyWorkflowNotFound);
        group.MapPost("/{instanceId}/terminate", (string instanceId, TerminateWorkflow? body, IServiceProvider services) =>
                TerminateAsync(appId, instanceId, body, services))
            .WithName($"TerminateWorkflow{Pascal(appId)}")
            .WithSummary("Terminates a running instance; its output records the reason. Compensation in the workflow does not run.")
            .Problems(AnyWorkflowNotFound);
        group.MapDelete("/{instanceId}", (string instanceId, IServiceProvider services) => PurgeAsync(appId, instanceId, services))
            .WithName($"PurgeWorkflow{Pascal(appId)}")
            .WithSummary("Deletes a finished instance and its history (a running one must be terminated first).")
            .Problems(AnyWorkflowNotFound, WorkflowAdminProblems.WorkflowRunning);
        return group;
    }

    private static async Task<Ok<Page<WorkflowSummary>>> ListAsync(string appId, string? name, WorkflowRuntimeStatus? status,
        string? cursor, int? limit, WorkflowCatalog catalog, CancellationToken cancellationToken)
    {
        var take = limit ?? PageCursor.DefaultLimit;
        if (take is < 1 or > PageCursor.MaximumLimit)
        {
            throw WorkflowAdminProblems.InvalidLimit();
        }

        var after = WorkflowCursor.Decode(cursor);
        if (!string.IsNullOrEmpty(cursor) && after is null)
        {
            throw WorkflowAdminProblems.InvalidCursor();
        }

        var rows = await catalog.ListAsync(appId, name, status, take + 1, after, cancellationToken);
        var page = rows.Take(take).ToList();
        return TypedResults.Ok(new Page<WorkflowSummary>(page, rows.Count > take ? WorkflowCursor.Encode(page[^1]) : null));
    }

    private static async Task<Ok<WorkflowInstanceView>> ShowAsync(string appId, string instanceId, IActorProxyFactory actors)
    {
        try
        {
            var details = await Instance(actors, appId, instanceId).GetWorkflowDetailsAsync();
            return TypedResults.Ok(new WorkflowInstanceView(details.State, details.History));
        }
        catch (ActorMethodInvocationException ex) when (ex.ErrorType == typeof(WorkflowNotFoundException).FullName)
        {
            throw WorkflowAdminProblems.WorkflowNotFound(instanceId);
        }
    }

    private static async Task<Accepted> RaiseAsync(string appId, string instanceId, string eventName, RaiseWorkflowEvent? body, IServiceProvider services)
    {
        try
        {
            await services.GetRequiredKeyedService<IWorkflowClient>(appId).RaiseEventAsync(instanceId, eventName, body?.Payload);
            return TypedResults.Accepted((string?)null);
        }
        catch (WorkflowNotFoundException)
        {
            throw WorkflowAdminProblems.WorkflowNotFound(instanceId);
        }
    }

    private static async Task<NoContent> TerminateAsync(string appId, string instanceId, TerminateWorkflow? body, IServiceProvider services)
    {
        try
        {
            await services.GetRequiredKeyedService<IWorkflowClient>(appId).TerminateWorkflowAsync(instanceId, new { terminatedBy = "admin", reason = body?.Reason });
            return TypedResults.NoContent();
        }
        catch (WorkflowNotFoundException)
        {
            throw WorkflowAdminProblems.WorkflowNotFound(instanceId);
        }
    }

    private static async Task<NoContent> PurgeAsync(string appId, string instanceId, IServiceProvider services)
    {
        try
        {
            return await services.GetRequiredKeyedService<IWorkflowClient>(appId).PurgeInstanceAsync(instanceId)
                ? TypedResults.NoContent()
                : throw WorkflowAdminProblems.WorkflowNotFound(instanceId);
        }
        catch (ActorMethodInvocationException ex) when (ex.ErrorType == typeof(InvalidOperationException).FullName)
        {
            throw WorkflowAdminProblems.WorkflowRunning();
        }
    }

    private static ProblemException AnyWorkflowNotFound() => WorkflowAdminProblems.WorkflowNotFound("{instanceId}");

    /// <summary>"orders" → "Orders": operation ids stay identifiers (ListWorkflowsOrders).</summary>
    private static string Pascal(string appId) =>
        string.Concat(appId.Split('-', '.', '_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static IWorkflowActor Instance(IActorProxyFactory actors, string appId, string instanceId) =>
        actors.CreateActorProxy<IWorkflowActor>(new ActorId(instanceId), WorkflowRegistry.ActorTypeFor(appId));
}
