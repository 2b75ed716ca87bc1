using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TicketToken.BuildingBlocks.PubSub;
using TicketToken.Runtime.ConformanceHost;
using TicketToken.Runtime.ConformanceHost.Data;
using TicketToken.Runtime.ConformanceHost.Subscriptions;
using TicketToken.Testing;

namespace TicketToken.Runtime.Tests;

/// <summary>Pub/sub with CloudEvents, retries, dead letters, the outbox and the inbox.</summary>
public abstract class PubSubConformance(RuntimeFixture runtime)
{
    private static int _next = 1_000_000;

    private static int Number() => Interlocked.Increment(ref _next);

    private Task<int> Received(int number) =>
        runtime.Database.ScalarAsync<int>("select count(*) from conformance.received where number = $1", number);

    [RuntimeFact]
    public async Task A_published_event_reaches_its_handler_as_a_cloud_event_carrying_the_trace()
    {
        var number = Number();
        using var source = new ActivitySource("TicketToken.Tests");
        using var listener = new ActivityListener { ShouldListenTo = s => s == source, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData };
        ActivitySource.AddActivityListener(listener);
        string traceId;
        using (var activity = source.StartActivity("publish")!)
        {
            traceId = activity.TraceId.ToHexString();
            await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Messages, new TestMessage(number, "hello"));
        }

        await Eventually.TrueAsync(async () => await Received(number) == 1, "the handler recorded the event");
        var envelope = RecordMessage.Envelopes.Values.Single(e => e.Data.GetProperty("number").GetInt32() == number);
        envelope.SpecVersion.Should().Be("1.0");
        envelope.Source.Should().Be(ConformanceModule.Id);
        envelope.Topic.Should().Be(Topics.Messages);
        envelope.PubSubName.Should().Be(PubSubNames.Default);
        envelope.Type.Should().NotBeNullOrEmpty();
        envelope.DataContentType.Should().Be("application/json");
        envelope.Id.Should().NotBeNullOrEmpty();
        envelope.TraceParent.Should().Contain(traceId, "W3C trace context travels with the event");
    }

    [RuntimeFact]
    public async Task A_handler_asking_for_a_retry_gets_the_event_again()
    {
        var number = Number();
        await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Flaky, new TestMessage(number, "flaky"),
            new Dictionary<string, string> { [PublishMetadata.CloudEventId] = "flaky-" + number });

        await Eventually.TrueAsync(async () =>
            await runtime.Database.ScalarAsync<int>("select count(*) from conformance.handler_calls where message_id = $1", "flaky-" + number) == 3,
            "two retries, then success");
        await Task.Delay(600);
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.handler_calls where message_id = $1", "flaky-" + number))
            .Should().Be(3, "an acknowledged event is not delivered again");
    }

    [RuntimeFact]
    public async Task An_event_that_always_fails_goes_to_the_dead_letter_topic_after_the_last_attempt()
    {
        var number = Number();
        await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Poison, new TestMessage(number, "poison"));

        await Eventually.TrueAsync(async () =>
            await runtime.Database.ScalarAsync<int>("select count(*) from conformance.dead_letters_seen where number = $1 and topic = $2", number, Topics.Poison + ".deadletter") == 1,
            "the dead-letter subscriber received the poison event");
    }

    [RuntimeFact]
    public async Task A_dropped_event_goes_to_the_dead_letter_topic_without_retries()
    {
        var number = Number();
        await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Dropped, new TestMessage(number, "drop"));

        await Eventually.TrueAsync(async () =>
            await runtime.Database.ScalarAsync<int>("select count(*) from conformance.dead_letters_seen where number = $1", number) == 1,
            "the dropped event was dead-lettered");
    }

    [RuntimeFact]
    public async Task A_redelivered_event_is_processed_once_thanks_to_the_inbox()
    {
        var number = Number();
        var sameId = new Dictionary<string, string> { [PublishMetadata.CloudEventId] = "dup-" + number };
        await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Messages, new TestMessage(number, "once"), sameId);
        await runtime.Publisher.PublishEventAsync(PubSubNames.Default, Topics.Messages, new TestMessage(number, "twice"), sameId);

        await Eventually.TrueAsync(async () =>
            await runtime.Database.ScalarAsync<int>("select count(*) from conformance.handler_calls where message_id = $1", "dup-" + number) == 2
            && await Received(number) == 1,
            "both deliveries reached the handler");
        await Eventually.TrueAsync(async () => await runtime.PendingDeliveriesAsync() == 0, "both deliveries were acknowledged");
        (await Received(number)).Should().Be(1, "the inbox recognised the second delivery");
    }

    [RuntimeFact]
    public async Task An_outbox_event_is_published_when_its_transaction_commits()
    {
        var number = Number();
        await using (var scope = runtime.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConformanceDbContext>();
            db.Publish(Topics.Messages, new TestMessage(number, "outbox"));
            await db.SaveChangesAsync();
        }

        await Eventually.TrueAsync(async () => await Received(number) == 1, "the relayed event was handled");
        (await runtime.Database.ScalarAsync<int>("select count(*) from conformance.outbox_messages")).Should().Be(0, "relayed rows leave the outbox");
    }

    [RuntimeFact]
    public async Task An_outbox_event_of_a_rolled_back_transaction_is_never_published()
    {
        var rolledBack = Number();
        var committed = Number();
        await using (var scope = runtime.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConformanceDbContext>();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.Publish(Topics.Messages, new TestMessage(rolledBack, "rolled back"));
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            }

            db.ChangeTracker.Clear();
            db.Publish(Topics.Messages, new TestMessage(committed, "committed"));
            await db.SaveChangesAsync();
        }

        await Eventually.TrueAsync(async () => await Received(committed) == 1, "the committed event, published after, was handled");
        (await Received(rolledBack)).Should().Be(0);
    }
}

public sealed class EmbeddedPubSubConformance(EmbeddedRuntimeFixture runtime) : PubSubConformance(runtime), IClassFixture<EmbeddedRuntimeFixture>;
