namespace TicketToken.BuildingBlocks.Workflows.Engine;

/// <summary>Workflows and activities per app; each app's instances live on its own workflow actor type.</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<string, AppWorkflows> _apps = new(StringComparer.Ordinal);

    public static string ActorTypeFor(string appId) => $"{appId}.workflow";

    public IEnumerable<string> AppIds => _apps.Keys;

    internal AppWorkflows For(string appId)
    {
        if (!_apps.TryGetValue(appId, out var app))
        {
            _apps[appId] = app = new AppWorkflows(appId);
        }

        return app;
    }

    internal AppWorkflows ForActorType(string actorType) =>
        _apps.Values.FirstOrDefault(a => a.ActorType == actorType)
        ?? throw new InvalidOperationException($"No workflows are registered for actor type '{actorType}'.");

    internal bool HasApp(string appId) => _apps.ContainsKey(appId);
}

internal sealed class AppWorkflows(string appId)
{
    private readonly Dictionary<string, Type> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Type> _activities = new(StringComparer.Ordinal);

    public string AppId { get; } = appId;
    public string ActorType { get; } = WorkflowRegistry.ActorTypeFor(appId);
    public IReadOnlyCollection<string> WorkflowNames => _workflows.Keys;

    public void AddWorkflow(Type type) => Add(_workflows, type, "workflow");

    public void AddActivity(Type type) => Add(_activities, type, "activity");

    public bool HasWorkflow(string name) => _workflows.ContainsKey(name);

    public Type Workflow(string name) =>
        _workflows.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"App '{AppId}' has no workflow named '{name}'.");

    public Type Activity(string name) =>
        _activities.TryGetValue(name, out var type)
            ? type
            : throw new InvalidOperationException($"App '{AppId}' has no workflow activity named '{name}'.");

    private void Add(Dictionary<string, Type> map, Type type, string kind)
    {
        if (!map.TryAdd(type.Name, type) && map[type.Name] != type)
        {
            throw new InvalidOperationException($"App '{AppId}' registers two {kind} types named '{type.Name}'.");
        }
    }
}
