using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketToken.Runtime.Tests;

/// <summary>
/// A conformance test. It runs on every concrete class that binds it to a runtime, and is skipped, with the
/// reason in the output, on classes marked <see cref="RequiresDaprdAttribute"/> when no real sidecar is here.
/// </summary>
[XunitTestCaseDiscoverer("TicketToken.Runtime.Tests.RuntimeFactDiscoverer", "TicketToken.Runtime.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class RuntimeFactAttribute : FactAttribute;

/// <summary>The concrete conformance class runs against a real Dapr sidecar.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresDaprdAttribute : Attribute;

public sealed class RuntimeFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new RuntimeTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

public sealed class RuntimeTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public RuntimeTestCase()
    {
    }

    public RuntimeTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnostics, display, displayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresDaprdAttribute).AssemblyQualifiedName).Any() && RealDaprd.Unavailable is { } reason
            ? reason
            : base.GetSkipReason(factAttribute);
}
