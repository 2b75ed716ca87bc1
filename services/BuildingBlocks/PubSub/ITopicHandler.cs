namespace TicketToken.BuildingBlocks.PubSub;

/// <summary>
/// Handles one topic's events. Runs at least once per event: make it idempotent, for example with
/// <c>ModuleDbContext.ProcessOnceAsync(envelope.Id, ...)</c>. Throwing counts as <see cref="TopicResult.Retry"/>.
/// Events may arrive out of order; compare versions or timestamps carried in the event.
/// </summary>
public interface ITopicHandler<in TEvent>
{
    Task<TopicResult> HandleAsync(TEvent data, CloudEvent envelope, CancellationToken cancellationToken);
}

/// <summary>How one subscription retries and where it dead-letters.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The pub/sub component; defaults to <see cref="PubSubNames.Default"/>.</summary>
    public string PubSubName { get; init; } = PubSubNames.Default;

    /// <summary>Where events go when they are dropped or run out of attempts; defaults to <c>{topic}.deadletter</c>.</summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>Delivery attempts before dead-lettering; null takes the runtime's configured default.</summary>
    public int? MaxAttempts { get; init; }
}
