using Xunit.Abstractions;
using Xunit.Sdk;

namespace TicketToken.Payments.Tests;

/// <summary>
/// A Stripe conformance test: it runs on every concrete class that binds it to a Stripe (the simulated gateway, or Stripe
/// itself in test mode), and is skipped, with the reason in the output, on classes marked
/// <see cref="RequiresStripeTestModeAttribute"/> when <c>STRIPE_SECRET_KEY</c> holds no test-mode key.
/// </summary>
[XunitTestCaseDiscoverer("TicketToken.Payments.Tests.StripeFactDiscoverer", "TicketToken.Payments.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StripeFactAttribute : FactAttribute;

/// <summary>The concrete conformance class talks to api.stripe.com in test mode.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresStripeTestModeAttribute : Attribute;

public sealed class StripeFactDiscoverer(IMessageSink diagnostics) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new StripeTestCase(diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

public sealed class StripeTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StripeTestCase()
    {
    }

    public StripeTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnostics, display, displayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        TestMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresStripeTestModeAttribute).AssemblyQualifiedName).Any()
        && StripeTestModeFactAttribute.SkipReason is { } reason
            ? reason
            : base.GetSkipReason(factAttribute);
}
