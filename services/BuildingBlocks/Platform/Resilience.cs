using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace TicketToken.BuildingBlocks.Platform;

/// <summary>
/// The retry policies of background work (the runtime's own writers, a module's start-up calls), as Polly pipelines
/// instead of hand-written loops. Each retries anything but the host stopping, and logs every retry with the attempt number.
/// </summary>
public static class Resilience
{
    /// <summary>The name of the pipeline around fetching identity's key set (registered with the authentication).</summary>
    public const string JwksFetch = "tickettoken-jwks";

    /// <summary>Forever, doubling from 200 ms to 30 s with jitter: a relay must outlive any outage of its database or broker.</summary>
    public static ResiliencePipeline Forever(ILogger logger, string what) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = Transient,
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(30),
            OnRetry = retry => Log(logger, what, retry),
        })
        .Build();

    /// <summary>Up to <paramref name="attempts"/> attempts, 50 ms more wait after each, at most 5 s; then the failure surfaces.</summary>
    public static ResiliencePipeline Bounded(ILogger logger, string what, int attempts) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = Transient,
            MaxRetryAttempts = attempts - 1,
            BackoffType = DelayBackoffType.Linear,
            Delay = TimeSpan.FromMilliseconds(50),
            MaxDelay = TimeSpan.FromSeconds(5),
            OnRetry = retry => Log(logger, what, retry),
        })
        .Build();

    /// <summary>Any failure but cancellation (the host stopping).</summary>
    internal static ValueTask<bool> Transient(RetryPredicateArguments<object> retry) =>
        ValueTask.FromResult(retry.Outcome.Exception is { } ex && ex is not OperationCanceledException);

    private static ValueTask Log(ILogger logger, string what, OnRetryArguments<object> retry)
    {
        logger.LogWarning(retry.Outcome.Exception, "{What} failed (attempt {Attempt}); retrying in {Delay}", what, retry.AttemptNumber + 1, retry.RetryDelay);
        return ValueTask.CompletedTask;
    }
}
