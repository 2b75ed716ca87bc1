using System.Collections.Concurrent;
using System.Reflection;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Actors;

/// <summary>Creates typed actor proxies (the Dapr SDK's <c>IActorProxyFactory</c>).</summary>
public interface IActorProxyFactory
{
    TActorInterface CreateActorProxy<TActorInterface>(ActorId actorId, string actorType)
        where TActorInterface : IActor;
}

internal sealed class ActorProxyFactory(IActorInvoker invoker) : IActorProxyFactory
{
    public TActorInterface CreateActorProxy<TActorInterface>(ActorId actorId, string actorType)
        where TActorInterface : IActor
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actorType);
        var proxy = DispatchProxy.Create<TActorInterface, ActorProxy>();
        ((ActorProxy)(object)proxy).Initialize(actorId, actorType, invoker);
        return proxy;
    }
}

/// <summary>
/// The object behind every actor proxy: each interface call becomes a serialized invocation, so a
/// call behaves the same whether the actor lives in this process or behind a Dapr sidecar.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy derives a type from it at run time, so it cannot be sealed
public class ActorProxy : DispatchProxy
#pragma warning restore CA1852
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<ActorProxy, object?[]?, object>> Calls = new();

    private IActorInvoker _invoker = null!;

    public ActorId ActorId { get; private set; } = null!;
    public string ActorType { get; private set; } = null!;

    internal void Initialize(ActorId actorId, string actorType, IActorInvoker invoker)
    {
        ActorId = actorId;
        ActorType = actorType;
        _invoker = invoker;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        Calls.GetOrAdd(targetMethod!, Bind)(this, args);

    private static Func<ActorProxy, object?[]?, object> Bind(MethodInfo method)
    {
        var (parameterType, resultType) = ActorContract.Describe(method.DeclaringType!, method);
        var name = method.Name;
        if (resultType is null)
        {
            return (proxy, args) => proxy.CallAsync(name, Payload(args, parameterType));
        }

        var typed = typeof(ActorProxy).GetMethod(nameof(CallTypedAsync), BindingFlags.Static | BindingFlags.NonPublic)!
            .MakeGenericMethod(resultType)
            .CreateDelegate<Func<ActorProxy, string, byte[], object>>();
        return (proxy, args) => typed(proxy, name, Payload(args, parameterType));
    }

    private static byte[] Payload(object?[]? args, Type? parameterType) =>
        parameterType is null ? [] : RuntimeJson.Serialize(args![0], parameterType);

    private Task CallAsync(string method, byte[] payload) =>
        _invoker.InvokeMethodAsync(ActorType, ActorId.Id, method, payload, CancellationToken.None);

    private static object CallTypedAsync<TResult>(ActorProxy proxy, string method, byte[] payload) => proxy.CallAsync<TResult>(method, payload);

    private async Task<TResult> CallAsync<TResult>(string method, byte[] payload)
    {
        var result = await _invoker.InvokeMethodAsync(ActorType, ActorId.Id, method, payload, CancellationToken.None);
        return RuntimeJson.Deserialize<TResult>(result)!;
    }
}
