using System.Text.Json;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>The workflow client of one app: every call is an actor call to the instance.</summary>
internal sealed class WorkflowClient(string appId, WorkflowRegistry registry, IActorProxyFactory proxies) : IWorkflowClient
{
    private readonly string _actorType = WorkflowRegistry.ActorTypeFor(appId);

    public async Task<string> ScheduleNewWorkflowAsync(string name, string? instanceId = null, object? input = null, CancellationToken cancellationToken = default)
    {
        if (!registry.HasApp(appId) || !registry.For(appId).HasWorkflow(name))
        {
            throw new ArgumentException($"App '{appId}' has no workflow named '{name}'.", nameof(name));
        }

        instanceId ??= Guid.NewGuid().ToString("N");
        if (instanceId.Length is 0 or > 200 || !instanceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException("A workflow instance id holds 1 to 200 letters, digits, '_' or '-'.", nameof(instanceId));
        }

        await Instance(instanceId).StartWorkflowAsync(new StartWorkflowRequest(name, ToJson(input)));
        return instanceId;
    }

    public Task<WorkflowState> GetWorkflowStateAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default) =>
        Instance(instanceId).GetWorkflowStateAsync(new GetWorkflowStateRequest(getInputsAndOutputs));

    public async Task<WorkflowState> WaitForWorkflowCompletionAsync(string instanceId, bool getInputsAndOutputs = true, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var state = await GetWorkflowStateAsync(instanceId, getInputsAndOutputs, cancellationToken);
            if (!state.Exists)
            {
                throw new WorkflowNotFoundException(instanceId);
            }

            if (state.IsWorkflowCompleted)
            {
                return state;
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await Instance(instanceId).RaiseWorkflowEventAsync(new RaiseWorkflowEventRequest(eventName, ToJson(eventPayload)));
        }
        catch (ActorMethodInvocationException ex) when (ex.ErrorType == typeof(WorkflowNotFoundException).FullName)
        {
            throw new WorkflowNotFoundException(instanceId);
        }
    }

    public async Task TerminateWorkflowAsync(string instanceId, object? output = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await Instance(instanceId).TerminateWorkflowAsync(new TerminateWorkflowRequest(ToJson(output)));
        }
        catch (ActorMethodInvocationException ex) when (ex.ErrorType == typeof(WorkflowNotFoundException).FullName)
        {
            throw new WorkflowNotFoundException(instanceId);
        }
    }

    public Task<bool> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Instance(instanceId).PurgeWorkflowAsync();

    private IWorkflowActor Instance(string instanceId) => proxies.CreateActorProxy<IWorkflowActor>(new ActorId(instanceId), _actorType);

    private static JsonElement? ToJson(object? value) =>
        value is null ? null : JsonSerializer.SerializeToElement(value, value.GetType(), RuntimeJson.Options);
}
