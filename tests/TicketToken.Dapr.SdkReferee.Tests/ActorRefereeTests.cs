using System.Net.Http.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using TicketToken.Testing;

namespace TicketToken.Dapr.SdkReferee.Tests;

/// <summary>
/// Dapr.Actors' own runtime hosts <see cref="ScoreboardActor"/> behind the double; its proxies call it the two
/// ways the SDK knows: remoting (with JSON serialization) and non-remoting.
/// </summary>
public sealed class ActorRefereeTests(RefereeFixture referee) : IClassFixture<RefereeFixture>
{
    private const string ActorType = nameof(ScoreboardActor);

    private ActorProxyOptions Options(bool json = true) => new()
    {
        HttpEndpoint = referee.Sidecar.Address.ToString().TrimEnd('/'),
        DaprApiToken = RefereeFixture.ApiToken,
        UseJsonSerialization = json,
    };

    private static ActorId NewId() => new("board-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_remoting_proxy_with_json_calls_the_actor_and_its_state_lasts_between_calls()
    {
        var board = ActorProxy.Create<IScoreboardActor>(NewId(), ActorType, Options());

        await board.AddAsync(new Points(2));
        var total = await board.AddAsync(new Points(3));

        total.Should().Be(5);
        (await board.TotalAsync()).Should().Be(5);
    }

    [Fact]
    public async Task A_non_remoting_proxy_calls_the_same_actor_by_method_name_with_json()
    {
        var id = NewId();
        var board = ActorProxy.Create(id, ActorType, Options());

        var total = await board.InvokeMethodAsync<Points, int>(nameof(IScoreboardActor.AddAsync), new Points(4));

        total.Should().Be(4);
        (await board.InvokeMethodAsync<int>(nameof(IScoreboardActor.TotalAsync))).Should().Be(4);
        (await ActorProxy.Create<IScoreboardActor>(id, ActorType, Options()).TotalAsync()).Should().Be(4, "both proxies reach one actor");
    }

    [Fact]
    public async Task The_state_the_actor_runtime_commits_is_in_the_sidecars_actor_state()
    {
        var id = NewId();
        await ActorProxy.Create<IScoreboardActor>(id, ActorType, Options()).AddAsync(new Points(9));
        using var sidecar = new HttpClient { BaseAddress = referee.Sidecar.Address };
        sidecar.DefaultRequestHeaders.Add("dapr-api-token", RefereeFixture.ApiToken);

        var stored = await sidecar.GetFromJsonAsync<int>($"v1.0/actors/{ActorType}/{id}/state/total");

        stored.Should().Be(9);
    }

    [Fact]
    public async Task An_actors_exception_reaches_a_remoting_caller_as_an_actor_method_invocation_failure()
    {
        var board = ActorProxy.Create<IScoreboardActor>(NewId(), ActorType, Options());

        var act = () => board.FailAsync();

        (await act.Should().ThrowAsync<ActorMethodInvocationException>()).Which.ToString().Should().Contain("The scoreboard is closed.");
    }

    [Fact]
    public async Task An_actors_exception_reaches_a_non_remoting_caller_as_a_dapr_api_failure()
    {
        var board = ActorProxy.Create(NewId(), ActorType, Options());

        var act = () => board.InvokeMethodAsync(nameof(IScoreboardActor.FailAsync));

        await act.Should().ThrowAsync<global::Dapr.DaprApiException>();
    }

    [Fact]
    public async Task A_reminder_the_actor_registers_fires_back_into_the_actor_with_its_data()
    {
        var board = ActorProxy.Create<IScoreboardActor>(NewId(), ActorType, Options());

        await board.RemindMeAsync("ring");

        await Eventually.TrueAsync(async () => await board.LastReminderAsync() == $"{ScoreboardActor.Reminder}:ring", "the reminder fired");
    }
}
