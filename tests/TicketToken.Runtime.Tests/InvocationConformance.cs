using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.Invocation;
using TicketToken.Runtime.ConformanceHost;

namespace TicketToken.Runtime.Tests;

/// <summary>Service invocation by app-id.</summary>
public abstract class InvocationConformance(RuntimeFixture runtime)
{
    private readonly IServiceInvoker _invoker = runtime.Host.Services.GetRequiredKeyedService<IServiceInvoker>(ConformanceModule.Id);

    [RuntimeFact]
    public async Task An_app_is_invoked_by_its_app_id_and_sees_who_called()
    {
        using var client = _invoker.CreateHttpClient(ConformanceModule.Id);

        var echoed = await client.GetFromJsonAsync<Echoed>("conformance/echo/hello");

        echoed.Should().Be(new Echoed("hello", ConformanceModule.Id));
    }

    [RuntimeFact]
    public async Task Disposing_one_client_leaves_the_next_one_working()
    {
        // Callers dispose their clients after each call (Dapr's CreateInvokeHttpClient is used the same way);
        // the runtime's shared connection pool must outlive them.
        for (var i = 0; i < 3; i++)
        {
            using var client = _invoker.CreateHttpClient(ConformanceModule.Id);

            var echoed = await client.GetFromJsonAsync<Echoed>($"conformance/echo/call-{i}");

            echoed!.Text.Should().Be($"call-{i}");
        }
    }

    [RuntimeFact]
    public async Task Invoking_an_app_that_is_not_running_fails_clearly()
    {
        using var client = _invoker.CreateHttpClient("nobody");

        var call = () => client.GetAsync("anything");

        await call.Should().ThrowAsync<ServiceInvocationException>().WithMessage("*nobody*");
    }

    private sealed record Echoed(string Text, string Caller);
}

public sealed class EmbeddedInvocationConformance(EmbeddedRuntimeFixture runtime) : InvocationConformance(runtime), IClassFixture<EmbeddedRuntimeFixture>;
