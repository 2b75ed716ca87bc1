using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketToken.BuildingBlocks.Actors;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>
/// Runs activities outside the workflow actor's turn (so events and status reads are not blocked by
/// slow I/O) and reports each result back to the instance as a new turn.
/// </summary>
internal sealed class WorkflowActivityRunner : IDisposable
{
    private static readonly ActivitySource Tracing = new("TicketToken.Workflows");

    private readonly ConcurrentDictionary<(string ActorType, string InstanceId, int Seq), byte> _running = new();
    private readonly WorkflowRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly IActorProxyFactory _proxies;
    private readonly ILogger<WorkflowActivityRunner> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationToken _stopping;

    public WorkflowActivityRunner(WorkflowRegistry registry, IServiceProvider services, IActorProxyFactory proxies,
        IOptions<WorkflowEngineOptions> options, IHostApplicationLifetime lifetime, ILogger<WorkflowActivityRunner> logger)
    {
        _registry = registry;
        _services = services;
        _proxies = proxies;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Value.MaxConcurrentActivities);
        _stopping = lifetime.ApplicationStopping;
    }

    public int RunningCount => _running.Count;

    public bool IsRunning(string actorType, string instanceId, int seq) => _running.ContainsKey((actorType, instanceId, seq));

    public void Start(string actorType, string instanceId, ActivityScheduledEvent activity, int attempt)
    {
        var key = (actorType, instanceId, activity.Seq);
        if (!_running.TryAdd(key, 0))
        {
            return;
        }

        // The turn that scheduled the activity must not wait for it, and the activity must not inherit the turn's context.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => RunAsync(key, activity, attempt));
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task RunAsync((string ActorType, string InstanceId, int Seq) key, ActivityScheduledEvent activity, int attempt)
    {
        try
        {
            await _slots.WaitAsync(_stopping);
            ActivityResult result;
            try
            {
                result = await ExecuteAsync(key, activity, attempt);
            }
            finally
            {
                _slots.Release();
            }

            await _proxies.CreateActorProxy<IWorkflowActor>(new ActorId(key.InstanceId), key.ActorType).CompleteActivityAsync(result);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the activity reminder restarts it after the lease.
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not report activity {Activity} (task {Seq}) of workflow instance {InstanceId}; its lease will retry it",
                activity.Name, activity.Seq, key.InstanceId);
        }
        finally
        {
            _running.TryRemove(key, out _);
        }
    }

    private async Task<ActivityResult> ExecuteAsync((string ActorType, string InstanceId, int Seq) key, ActivityScheduledEvent activity, int attempt)
    {
        using var span = Tracing.StartActivity($"activity {activity.Name}");
        span?.SetTag("workflow.instance_id", key.InstanceId);
        span?.SetTag("workflow.task_seq", activity.Seq);
        span?.SetTag("workflow.attempt", attempt);
        try
        {
            var app = _registry.ForActorType(key.ActorType);
            await using var scope = _services.CreateAsyncScope();
            var implementation = (IWorkflowActivity)ActivatorUtilities.CreateInstance(scope.ServiceProvider, app.Activity(activity.Name));
            var input = activity.Input is { } json ? json.Deserialize(implementation.InputType, RuntimeJson.Options) : null;
            var context = new WorkflowActivityContext(key.InstanceId, activity.Name, activity.Seq, attempt, _stopping);
            var output = await implementation.RunAsync(context, input);
            JsonElement? outputJson = output is null ? null : JsonSerializer.SerializeToElement(output, implementation.OutputType, RuntimeJson.Options);
            return new ActivityResult(activity.Seq, attempt, outputJson, null);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            _logger.LogInformation("Activity {Activity} (task {Seq}, attempt {Attempt}) of workflow instance {InstanceId} failed: {Error}",
                activity.Name, activity.Seq, attempt, key.InstanceId, ex.Message);
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return new ActivityResult(activity.Seq, attempt, null, WorkflowFailureDetails.From(ex));
        }
    }
}
