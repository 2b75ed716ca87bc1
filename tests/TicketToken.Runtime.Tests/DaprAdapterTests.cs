using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TicketToken.BuildingBlocks.Workflows.Engine;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>The app side of the Dapr contract, called as the sidecar calls it.</summary>
public sealed class DaprAdapterTests(DaprDoubleRuntimeFixture runtime) : IClassFixture<DaprDoubleRuntimeFixture>
{
    private HttpClient Sidecar()
    {
        var client = new HttpClient { BaseAddress = runtime.Host.BaseAddress };
        client.DefaultRequestHeaders.Add("dapr-api-token", DaprDoubleRuntimeFixture.AppToken);
        return client;
    }

    [Fact]
    public async Task Sidecar_routes_refuse_calls_without_the_app_api_token()
    {
        using var response = await runtime.Host.Client.GetAsync("dapr/config");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<string>().Should().Be("invalid_app_token");
    }

    [Fact]
    public async Task A_request_claiming_to_come_through_a_sidecar_needs_the_app_api_token_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "conformance/echo/hi");
        request.Headers.Add("dapr-caller-app-id", "intruder");

        using var response = await runtime.Host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Dapr_config_lists_the_hosted_actor_types_and_the_idle_timeout_as_a_go_duration()
    {
        using var sidecar = Sidecar();

        var config = await sidecar.GetFromJsonAsync<JsonObject>("dapr/config");

        config!["entities"]!.AsArray().Select(e => e!.GetValue<string>())
            .Should().Contain(["CounterActor", "ReminderActor", "TimerActor", "LifecycleActor", WorkflowRegistry.ActorTypeFor(ConformanceModule.Id)]);
        config["actorIdleTimeout"]!.GetValue<string>().Should().Be("1000ms");
        config["reentrancy"]!["enabled"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Dapr_subscribe_lists_one_subscription_per_topic_with_its_route_and_dead_letter_topic_as_dapr_aspnetcore_writes_it()
    {
        using var sidecar = Sidecar();

        var subscriptions = (await sidecar.GetFromJsonAsync<JsonArray>("dapr/subscribe"))!.Select(s => s!.AsObject()).ToList();

        var poison = subscriptions.Single(s => s["topic"]!.GetValue<string>() == Topics.Poison);
        poison["pubsubName"]!.GetValue<string>().Should().Be("pubsub", "Dapr.AspNetCore names it in camel case; daprd reads JSON fields case-insensitively");
        poison["route"]!.GetValue<string>().Should().StartWith("dapr/events/conformance/");
        poison["deadLetterTopic"]!.GetValue<string>().Should().Be(Topics.Poison + ".deadletter");
        subscriptions.Select(s => s["topic"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task An_actor_callback_answers_200_with_the_result_404_for_an_unknown_method_and_relays_errors_with_the_dapr_header()
    {
        using var sidecar = Sidecar();
        var id = Guid.NewGuid().ToString("N");

        using var ok = await sidecar.PutAsync($"actors/CounterActor/{id}/method/EchoAsync", JsonContent.Create(42L));
        using var missing = await sidecar.PutAsync($"actors/CounterActor/{id}/method/NoSuchMethod", JsonContent.Create(1));
        using var failing = await sidecar.PutAsync($"actors/CounterActor/{id}/method/IncrementThenFailAsync", null);

        ok.StatusCode.Should().Be(HttpStatusCode.OK, "the sidecar counts only 200 as success");
        (await ok.Content.ReadFromJsonAsync<long>()).Should().Be(42);
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        failing.StatusCode.Should().Be(HttpStatusCode.OK);
        failing.Headers.Contains("X-DaprErrorResponseHeader").Should().BeTrue();
        (await failing.Content.ReadFromJsonAsync<JsonObject>())!["errorType"]!.GetValue<string>().Should().Be(typeof(InvalidOperationException).FullName);
    }

    [Fact]
    public async Task Deactivation_by_the_sidecar_answers_200()
    {
        using var sidecar = Sidecar();

        using var response = await sidecar.DeleteAsync($"actors/CounterActor/{Guid.NewGuid():N}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Readiness_includes_the_sidecar()
    {
        var ready = await runtime.Host.Client.GetFromJsonAsync<JsonObject>("readyz");

        ready!["checks"]!["dapr-sidecar"]!["status"]!.GetValue<string>().Should().Be("Healthy");
    }
}
