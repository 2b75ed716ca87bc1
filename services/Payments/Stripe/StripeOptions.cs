using System.Text;

namespace TicketToken.Payments.Stripe;

/// <summary>How <see cref="StripeClient"/> reaches Stripe. <see cref="ToString"/> never prints the secret key.</summary>
public sealed record StripeOptions
{
    /// <summary>
    /// The API version every request pins with <c>Stripe-Version</c>. 2023-08-16 is the version of the OpenAPI
    /// spec every parameter and field this client uses was checked against; moving it is a deliberate change.
    /// </summary>
    public const string PinnedApiVersion = "2023-08-16";

    /// <summary>The secret (or restricted) key, <c>sk_test_...</c> in test mode.</summary>
    public required string SecretKey { get; init; }

    public Uri ApiBase { get; init; } = new("https://api.stripe.com");

    public string ApiVersion { get; init; } = PinnedApiVersion;

    /// <summary>Retries after the first attempt, for network failures, 409, 429 and 5xx (or when Stripe says so).</summary>
    public int MaxNetworkRetries { get; init; } = 2;

    /// <summary>The first retry waits about this long; each further one twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("SecretKey = ***, ApiBase = ").Append(ApiBase)
            .Append(", ApiVersion = ").Append(ApiVersion)
            .Append(", MaxNetworkRetries = ").Append(MaxNetworkRetries);
        return true;
    }
}
