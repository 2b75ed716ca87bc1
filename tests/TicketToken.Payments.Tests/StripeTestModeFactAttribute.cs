namespace TicketToken.Payments.Tests;

/// <summary>A fact that talks to Stripe's real test mode: skipped, with the reason, unless STRIPE_SECRET_KEY holds a test key.</summary>
public sealed class StripeTestModeFactAttribute : FactAttribute
{
    public const string Variable = "STRIPE_SECRET_KEY";

    public StripeTestModeFactAttribute()
    {
        var key = SecretKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            Skip = "STRIPE_SECRET_KEY is not set: the real Stripe test-mode tests are skipped";
        }
        else if (!key.StartsWith("sk_test_", StringComparison.Ordinal) && !key.StartsWith("rk_test_", StringComparison.Ordinal))
        {
            Skip = "STRIPE_SECRET_KEY is not a test-mode key (sk_test_/rk_test_): these tests never run against live Stripe";
        }
    }

    public static string? SecretKey => Environment.GetEnvironmentVariable(Variable);
}
