using System.Net;
using System.Net.Http.Json;
using Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using TicketToken.Dapr.SidecarDouble;
using TicketToken.Testing;
using DaprSdkException = Dapr.DaprException;

namespace TicketToken.Dapr.SdkReferee.Tests;

/// <summary>Dapr.Client (gRPC for state and publish, HTTP for invocation and health) against the double.</summary>
public sealed class ClientRefereeTests(RefereeFixture referee) : IClassFixture<RefereeFixture>
{
    private const string Store = "statestore";

    private DaprClient Dapr => referee.Client;

    private static string NewKey() => "score-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Saved_state_reads_back_with_an_etag_and_a_save_with_a_stale_etag_loses()
    {
        var key = NewKey();
        await Dapr.SaveStateAsync(Store, key, new ScoreMessage("ada", 1));

        var (first, etag) = await Dapr.GetStateAndETagAsync<ScoreMessage>(Store, key);
        var won = await Dapr.TrySaveStateAsync(Store, key, new ScoreMessage("ada", 2), etag);
        var lost = await Dapr.TrySaveStateAsync(Store, key, new ScoreMessage("ada", 3), etag);

        first.Should().Be(new ScoreMessage("ada", 1));
        etag.Should().NotBeNullOrEmpty();
        won.Should().BeTrue();
        lost.Should().BeFalse("the ETag was used up by the first save");
        (await Dapr.GetStateAsync<ScoreMessage>(Store, key)).Should().Be(new ScoreMessage("ada", 2));
    }

    [Fact]
    public async Task A_delete_with_a_stale_etag_is_refused_and_with_the_current_one_deletes()
    {
        var key = NewKey();
        await Dapr.SaveStateAsync(Store, key, 1);
        var (_, stale) = await Dapr.GetStateAndETagAsync<int>(Store, key);
        await Dapr.SaveStateAsync(Store, key, 2);
        var (_, current) = await Dapr.GetStateAndETagAsync<int>(Store, key);

        (await Dapr.TryDeleteStateAsync(Store, key, stale)).Should().BeFalse();
        (await Dapr.TryDeleteStateAsync(Store, key, current)).Should().BeTrue();
        var (_, gone) = await Dapr.GetStateAndETagAsync<int>(Store, key);
        gone.Should().BeNullOrEmpty("a missing key has no ETag");
    }

    [Fact]
    public async Task A_malformed_etag_is_invalid_argument_not_a_lost_race()
    {
        var key = NewKey();
        await Dapr.SaveStateAsync(Store, key, 1);

        var act = () => Dapr.TrySaveStateAsync(Store, key, 2, "not-a-version");

        (await act.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task First_write_without_an_etag_only_inserts()
    {
        var key = NewKey();
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await Dapr.SaveStateAsync(Store, key, 1, firstWrite);

        var again = () => Dapr.SaveStateAsync(Store, key, 2, firstWrite);

        (await again.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.Aborted);
        (await Dapr.GetStateAsync<int>(Store, key)).Should().Be(1);
    }

    [Fact]
    public async Task A_transaction_applies_every_operation_or_none()
    {
        var (kept, removed, added) = (NewKey(), NewKey(), NewKey());
        await Dapr.SaveStateAsync(Store, kept, 1);
        await Dapr.SaveStateAsync(Store, removed, 1);
        var (_, etag) = await Dapr.GetStateAndETagAsync<int>(Store, kept);
        await Dapr.SaveStateAsync(Store, kept, 2); // the ETag above is stale now

        var failing = () => Dapr.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest(added, "10"u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest(kept, "11"u8.ToArray(), StateOperationType.Upsert, etag),
        ]);
        (await failing.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.Internal, "inside a transaction daprd reports every failure as INTERNAL");
        (await Dapr.GetStateAsync<int?>(Store, added)).Should().BeNull("nothing of a failed transaction is applied");

        await Dapr.ExecuteStateTransactionAsync(Store,
        [
            new StateTransactionRequest(added, "10"u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest(removed, null, StateOperationType.Delete),
        ]);
        (await Dapr.GetStateAsync<int?>(Store, added)).Should().Be(10);
        (await Dapr.GetStateAsync<int?>(Store, removed)).Should().BeNull();
        (await Dapr.GetStateAsync<int>(Store, kept)).Should().Be(2);
    }

    [Fact]
    public async Task A_bulk_read_answers_every_key_and_a_missing_one_without_data_or_etag()
    {
        var (present, missing) = (NewKey(), NewKey());
        await Dapr.SaveStateAsync(Store, present, new ScoreMessage("bob", 7));

        var items = await Dapr.GetBulkStateAsync(Store, [present, missing], parallelism: 2);

        items.Select(i => i.Key).Should().BeEquivalentTo([present, missing]);
        items.Single(i => i.Key == present).Value.Should().Contain("\"bob\"");
        items.Single(i => i.Key == present).ETag.Should().NotBeNullOrEmpty();
        items.Single(i => i.Key == missing).Value.Should().BeEmpty();
        items.Single(i => i.Key == missing).ETag.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_store_or_pubsub_is_invalid_argument()
    {
        var read = () => Dapr.GetStateAsync<int>("no-such-store", NewKey());
        var publish = () => Dapr.PublishEventAsync("no-such-pubsub", RefereeApp.Topic, new ScoreMessage("x", 1));

        (await read.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        (await publish.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task A_published_event_reaches_a_dapr_aspnetcore_subscriber_unwrapped_from_its_cloud_event()
    {
        var message = new ScoreMessage("player-" + Guid.NewGuid().ToString("N"), 3);

        await Dapr.PublishEventAsync(RefereeApp.PubSub, RefereeApp.Topic, message);

        await Eventually.TrueAsync(() => Task.FromResult(referee.App.Received.Contains(message)), "the subscriber got the message");
    }

    [Fact]
    public async Task Invocation_by_the_sdks_http_client_reaches_the_app_with_the_callers_app_id_and_headers()
    {
        using var http = DaprClient.CreateInvokeHttpClient(RefereeApp.AppId, referee.Sidecar.Address.ToString(), RefereeFixture.ApiToken);
        http.DefaultRequestHeaders.Add("x-request-tag", "signed-by-the-caller");

        var greeting = await http.GetFromJsonAsync<Greeting>("greetings/ada?style=plain");

        greeting.Should().Be(new Greeting("hello ada", RefereeApp.AppId, "signed-by-the-caller"), "daprd passes the caller's headers on");
    }

    [Fact]
    public async Task Without_the_api_token_grpc_calls_are_unauthenticated_and_invocation_is_refused()
    {
        using var anonymous = referee.ClientWithToken(null);
        using var http = DaprClient.CreateInvokeHttpClient(RefereeApp.AppId, referee.Sidecar.Address.ToString());

        var read = () => anonymous.GetStateAsync<int>(Store, NewKey());
        using var invoked = await http.GetAsync("greetings/eve");

        (await read.Should().ThrowAsync<DaprSdkException>()).Which.InnerException.Should().BeOfType<RpcException>()
            .Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        invoked.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Health_and_metadata_answer_as_a_sidecar_whose_app_is_connected()
    {
        (await Dapr.CheckOutboundHealthAsync()).Should().BeTrue();
        (await Dapr.CheckHealthAsync()).Should().BeTrue();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Dapr.WaitForSidecarAsync(limit.Token);
        (await Dapr.GetMetadataAsync()).Id.Should().Be(RefereeApp.AppId);
    }

    [Fact]
    public async Task State_saved_with_a_ttl_is_gone_once_the_ttl_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var backplane = new DaprBackplane(time: time);
        await using var sidecar = await SidecarDouble.SidecarDouble.StartAsync(backplane, new SidecarDoubleOptions { AppId = "ttl" });
        using var dapr = new DaprClientBuilder().UseHttpEndpoint(sidecar.Address.ToString()).UseGrpcEndpoint(sidecar.GrpcAddress.ToString()).Build();
        var key = NewKey();

        await dapr.SaveStateAsync(Store, key, 5, metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "60" });
        var before = await dapr.GetStateAsync<int?>(Store, key);
        time.Advance(TimeSpan.FromSeconds(59));
        var justBefore = await dapr.GetStateAsync<int?>(Store, key);
        time.Advance(TimeSpan.FromSeconds(2));
        var after = await dapr.GetStateAsync<int?>(Store, key);

        (before, justBefore, after).Should().Be((5, 5, (int?)null));
    }
}
