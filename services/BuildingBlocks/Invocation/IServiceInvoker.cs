namespace TicketToken.BuildingBlocks.Invocation;

/// <summary>
/// Service invocation by app-id (Dapr's <c>CreateInvokeHttpClient</c>). The returned client's base
/// address is <c>http://{appId}/</c>: the embedded runtime loops back to this host, the Dapr runtime
/// goes through the sidecar. Resolve it keyed by the calling module's app-id.
/// </summary>
public interface IServiceInvoker
{
    HttpClient CreateHttpClient(string appId);
}

/// <summary>The target app is not running where the runtime can reach it.</summary>
public sealed class ServiceInvocationException : Exception
{
    public ServiceInvocationException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Headers the runtimes put on an invocation, named as Dapr names them.</summary>
public static class InvocationHeaders
{
    public const string CallerAppId = "dapr-caller-app-id";
    public const string CalleeAppId = "dapr-callee-app-id";
}
