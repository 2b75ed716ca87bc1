namespace TicketToken.Payments.Tests;

/// <summary>A fact that talks to Stripe's real test mode: skipped, with the reason, unless STRIPE_SECRET_KEY holds a test key.</summary>
public sealed class StripeTestModeFactAttribute : FactAttribute
{
    public const string Variable = "STRIPE_SECRET_KEY";

    public StripeTestModeFactAttribute()
    {
        if (SkipReason is { } reason)
        {
            Skip = reason;
        }
    }

    public static string? SecretKey => Environment.GetEnvironmentVariable(Variable);

    /// <summary>Why the real test-mode tests cannot run here, or null when they can.</summary>
    public static string? SkipReason => SecretKey switch
    {
        null or "" => "STRIPE_SECRET_KEY is not set: the real Stripe test-mode tests are skipped (the same tests run against the simulated gateway)",
        var key when !key.StartsWith("sk_test_", StringComparison.Ordinal) && !key.StartsWith("rk_test_", StringComparison.Ordinal) =>
            "STRIPE_SECRET_KEY is not a test-mode key (sk_test_/rk_test_): these tests never run against live Stripe",
        _ => null,
    };
}
