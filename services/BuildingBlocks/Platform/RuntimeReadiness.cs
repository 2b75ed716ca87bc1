namespace TicketToken.BuildingBlocks.Platform;

/// <summary>Opens once the runtime is up and every migration is applied; background loops and <c>/readyz</c> wait for it.</summary>
public sealed class RuntimeReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    internal void MarkReady() => _ready.TrySetResult();
}

/// <summary>What a runtime does before modules may run (take the lease, migrate its schema, wait for the sidecar).</summary>
public interface IRuntimeBootstrap
{
    Task StartAsync(CancellationToken cancellationToken);
}

/// <summary>Routes and middleware a runtime adds to the app (the Dapr sidecar's callbacks).</summary>
public interface IRuntimeEndpoints
{
    void Map(Microsoft.AspNetCore.Builder.WebApplication app);
}
