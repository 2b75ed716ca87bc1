using System.Collections.Concurrent;
using System.Reflection;
using TicketToken.BuildingBlocks.Serialization;

namespace TicketToken.BuildingBlocks.Actors;

/// <summary>A registered actor type: its name, class and the methods callers may invoke.</summary>
public sealed class ActorTypeInformation
{
    private readonly Dictionary<string, ActorMethod> _methods;
    private readonly ConcurrentDictionary<string, Func<Actor, byte[]?, Task>> _timerCallbacks = new(StringComparer.Ordinal);

    private ActorTypeInformation(string typeName, Type implementationType, Dictionary<string, ActorMethod> methods)
    {
        TypeName = typeName;
        ImplementationType = implementationType;
        _methods = methods;
    }

    public string TypeName { get; }
    public Type ImplementationType { get; }
    public bool IsRemindable => typeof(IRemindable).IsAssignableFrom(ImplementationType);
    public IEnumerable<string> MethodNames => _methods.Keys;

    internal ActorMethod GetMethod(string name) =>
        _methods.TryGetValue(name, out var method)
            ? method
            : throw new ActorNotFoundException($"Actor type '{TypeName}' has no method '{name}'.");

    internal Func<Actor, byte[]?, Task> GetTimerCallback(string name) => _timerCallbacks.GetOrAdd(name, BindTimerCallback);

    public static ActorTypeInformation Create(Type implementationType, string? typeName = null)
    {
        if (!typeof(Actor).IsAssignableFrom(implementationType) || implementationType.IsAbstract)
        {
            throw new ArgumentException($"{implementationType.Name} must be a concrete subclass of {nameof(Actor)}.", nameof(implementationType));
        }

        var methods = new Dictionary<string, ActorMethod>(StringComparer.Ordinal);
        var actorInterfaces = implementationType.GetInterfaces()
            .Where(i => i != typeof(IActor) && typeof(IActor).IsAssignableFrom(i));
        foreach (var contract in actorInterfaces)
        {
            foreach (var method in contract.GetMethods())
            {
                var bound = ActorMethod.Bind(contract, method);
                if (!methods.TryAdd(method.Name, bound))
                {
                    throw new ArgumentException($"Actor {implementationType.Name} exposes two methods named '{method.Name}'; actor method names must be unique.");
                }
            }
        }

        return new ActorTypeInformation(typeName ?? implementationType.Name, implementationType, methods);
    }

    private Func<Actor, byte[]?, Task> BindTimerCallback(string name)
    {
        var method = ImplementationType.GetMethod(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new ArgumentException($"Actor {ImplementationType.Name} has no timer callback method '{name}'.");
        var parameters = method.GetParameters();
        if (method.ReturnType != typeof(Task) || parameters.Length > 1 || (parameters.Length == 1 && parameters[0].ParameterType != typeof(byte[])))
        {
            throw new ArgumentException($"Timer callback {ImplementationType.Name}.{name} must be 'Task {name}()' or 'Task {name}(byte[]? state)'.");
        }

        return parameters.Length == 0
            ? (actor, _) => (Task)method.Invoke(actor, null)!
            : (actor, state) => (Task)method.Invoke(actor, [state])!;
    }
}

/// <summary>One invocable actor method bound to JSON in and out.</summary>
internal sealed class ActorMethod
{
    private ActorMethod(string name, Func<object, ReadOnlyMemory<byte>, Task<byte[]>> invoke)
    {
        Name = name;
        Invoke = invoke;
    }

    public string Name { get; }
    public Func<object, ReadOnlyMemory<byte>, Task<byte[]>> Invoke { get; }

    public static ActorMethod Bind(Type contract, MethodInfo method)
    {
        var (parameterType, resultType) = ActorContract.Describe(contract, method);
        var (helperName, typeArguments) = (parameterType, resultType) switch
        {
            (null, null) => (nameof(BindNoArgNoResult), new[] { contract }),
            (not null, null) => (nameof(BindArgNoResult), new[] { contract, parameterType }),
            (null, not null) => (nameof(BindNoArgResult), new[] { contract, resultType }),
            _ => (nameof(BindArgResult), new[] { contract, parameterType!, resultType! }),
        };
        var helper = typeof(ActorMethod).GetMethod(helperName, BindingFlags.Static | BindingFlags.NonPublic)!.MakeGenericMethod(typeArguments);
        var invoke = (Func<object, ReadOnlyMemory<byte>, Task<byte[]>>)helper.Invoke(null, [method])!;
        return new ActorMethod(method.Name, invoke);
    }

    private static Func<object, ReadOnlyMemory<byte>, Task<byte[]>> BindNoArgNoResult<TContract>(MethodInfo method)
    {
        var call = method.CreateDelegate<Func<TContract, Task>>();
        return async (actor, _) =>
        {
            await call((TContract)actor);
            return [];
        };
    }

    private static Func<object, ReadOnlyMemory<byte>, Task<byte[]>> BindArgNoResult<TContract, TArg>(MethodInfo method)
    {
        var call = method.CreateDelegate<Func<TContract, TArg, Task>>();
        return async (actor, payload) =>
        {
            await call((TContract)actor, RuntimeJson.Deserialize<TArg>(payload.Span)!);
            return [];
        };
    }

    private static Func<object, ReadOnlyMemory<byte>, Task<byte[]>> BindNoArgResult<TContract, TResult>(MethodInfo method)
    {
        var call = method.CreateDelegate<Func<TContract, Task<TResult>>>();
        return async (actor, _) => RuntimeJson.Serialize(await call((TContract)actor));
    }

    private static Func<object, ReadOnlyMemory<byte>, Task<byte[]>> BindArgResult<TContract, TArg, TResult>(MethodInfo method)
    {
        var call = method.CreateDelegate<Func<TContract, TArg, Task<TResult>>>();
        return async (actor, payload) => RuntimeJson.Serialize(await call((TContract)actor, RuntimeJson.Deserialize<TArg>(payload.Span)!));
    }
}

/// <summary>The rules an actor interface method must follow, checked once for proxies and hosts alike.</summary>
internal static class ActorContract
{
    public static (Type? Parameter, Type? Result) Describe(Type contract, MethodInfo method)
    {
        var parameters = method.GetParameters();
        if (parameters.Length > 1)
        {
            throw new ArgumentException($"{contract.Name}.{method.Name} takes {parameters.Length} parameters; actor methods take at most one (a record).");
        }

        Type? result;
        if (method.ReturnType == typeof(Task))
        {
            result = null;
        }
        else if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            result = method.ReturnType.GetGenericArguments()[0];
        }
        else
        {
            throw new ArgumentException($"{contract.Name}.{method.Name} must return Task or Task<T>.");
        }

        return (parameters.Length == 1 ? parameters[0].ParameterType : null, result);
    }
}
