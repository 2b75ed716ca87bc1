using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TicketToken.Payments;

/// <summary>Settings of the payments module, section <c>TicketToken:Payments</c>.</summary>
public sealed class PaymentsOptions
{
    public const string Section = "TicketToken:Payments";
    public const string StripeGateway = "stripe";
    public const string SimulatedGateway = "simulated";

    /// <summary>The public development secret of the simulated gateway's webhooks, used only outside Production when none is set.</summary>
    public const string DevelopmentWebhookSecret = "whsec_tickettoken_simulated_development_only";

    /// <summary>The public secret key of the simulated gateway, used only outside Production when none is set.</summary>
    public const string DevelopmentSecretKey = "sk_test_tickettoken_simulated_development_only";

    /// <summary><c>simulated</c> (the Stripe-compatible gateway this module maps, Stripe's test mode in our own database) or <c>stripe</c>.</summary>
    public string Gateway { get; set; } = SimulatedGateway;

    /// <summary>
    /// The secret webhooks are signed with (<c>whsec_...</c>): Stripe's endpoint secret, or the one the simulated gateway
    /// signs with. While a secret is rolled, give both, separated by commas; the simulated gateway signs with the first.
    /// </summary>
    public string? WebhookSecret { get; set; }

    public StripeSettings Stripe { get; set; } = new();

    public ProcessorFeeSettings ProcessorFee { get; set; } = new();

    public PayoutSettings Payouts { get; set; } = new();

    public ConnectSettings Connect { get; set; } = new();

    public bool UsesStripe => string.Equals(Gateway, StripeGateway, StringComparison.OrdinalIgnoreCase);

    /// <summary>The key Stripe.net authenticates with: the configured one, or on the simulated gateway the development key.</summary>
    public string StripeSecretKey => string.IsNullOrWhiteSpace(Stripe.SecretKey) ? DevelopmentSecretKey : Stripe.SecretKey;

    /// <summary>The secrets a webhook's signature may match (the configured ones, or the development secret).</summary>
    public IReadOnlyList<string> WebhookSecrets =>
        WebhookSecret?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } secrets
            ? secrets
            : [DevelopmentWebhookSecret];

    public sealed class StripeSettings
    {
        /// <summary>
        /// The secret key (<c>sk_live_...</c>, <c>sk_test_...</c> or a restricted <c>rk_...</c>). Required with the stripe gateway;
        /// with the simulated one, the key its server accepts (the development key when unset).
        /// </summary>
        public string? SecretKey { get; set; }

        /// <summary>Where Stripe's API is, with the stripe gateway (another address only for stripe-mock); the simulated gateway is always this host's.</summary>
        public Uri ApiBase { get; set; } = new("https://api.stripe.com");

        /// <summary>Stripe.net's retries after the first attempt (network failures, 409, 429, 5xx, or as Stripe-Should-Retry says).</summary>
        public int MaxNetworkRetries { get; set; } = 2;
    }

    /// <summary>
    /// The processor's price per successful charge, which <see cref="Contracts.Payments.PaymentSucceeded.ProcessorFee"/>
    /// reports and the ledger books: <see cref="BasisPoints"/> of the amount (rounded half up) plus <see cref="Fixed"/> minor units.
    /// </summary>
    public sealed class ProcessorFeeSettings
    {
        public int BasisPoints { get; set; } = 290;
        public long Fixed { get; set; } = 30;
    }

    public sealed class PayoutSettings
    {
        /// <summary>How often organizers' payable balances are paid out to their connected accounts.</summary>
        public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

        /// <summary>Money is paid out only once it has been on the ledger this long (refunds and chargebacks come early).</summary>
        public TimeSpan HoldPeriod { get; set; } = TimeSpan.FromDays(7);

        /// <summary>A payout is made only for at least this much (minor units of its currency).</summary>
        public long MinimumAmount { get; set; } = 1000;
    }

    public sealed class ConnectSettings
    {
        /// <summary>The country of a new connected account (ISO 3166-1 alpha-2) when the request names none.</summary>
        public string DefaultCountry { get; set; } = "US";

        /// <summary>Where the organizer lands after onboarding (which does not mean it is complete).</summary>
        public Uri ReturnUrl { get; set; } = new("http://localhost:8080/organizer/payouts");

        /// <summary>Where an expired or used onboarding link sends the organizer, to ask for a new one.</summary>
        public Uri RefreshUrl { get; set; } = new("http://localhost:8080/organizer/payouts?refresh=1");
    }
}

/// <summary>Refuses to start with settings that cannot work, saying which key to set.</summary>
internal sealed class PaymentsOptionsValidation(IHostEnvironment environment) : IValidateOptions<PaymentsOptions>
{
    public ValidateOptionsResult Validate(string? name, PaymentsOptions options)
    {
        var failures = new List<string>();
        if (!options.UsesStripe && !string.Equals(options.Gateway, PaymentsOptions.SimulatedGateway, StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"TicketToken:Payments:Gateway is '{options.Gateway}'; use 'stripe' or 'simulated'.");
        }
        else if (options.UsesStripe)
        {
            if (string.IsNullOrWhiteSpace(options.Stripe.SecretKey))
            {
                failures.Add("TicketToken:Payments:Stripe:SecretKey is not set, and the gateway is stripe: set it from a secret (sk_live_... or sk_test_...).");
            }

            if (string.IsNullOrWhiteSpace(options.WebhookSecret))
            {
                failures.Add("TicketToken:Payments:WebhookSecret is not set, and the gateway is stripe: set it to the webhook endpoint's signing secret (whsec_...), or every webhook would be refused.");
            }
        }
        else if (environment.IsProduction())
        {
            failures.Add("TicketToken:Payments:Gateway is simulated in Production: fans would pay with test cards. Set it to stripe.");
        }

        if (options.Stripe.MaxNetworkRetries is < 0 or > 10)
        {
            failures.Add("TicketToken:Payments:Stripe:MaxNetworkRetries is 0 to 10.");
        }

        if (options.ProcessorFee.BasisPoints is < 0 or > 10_000 || options.ProcessorFee.Fixed < 0)
        {
            failures.Add("TicketToken:Payments:ProcessorFee: BasisPoints is 0 to 10000 and Fixed is not negative.");
        }

        if (options.Payouts.Interval <= TimeSpan.Zero || options.Payouts.HoldPeriod < TimeSpan.Zero || options.Payouts.MinimumAmount < 1)
        {
            failures.Add("TicketToken:Payments:Payouts: Interval is positive, HoldPeriod not negative, MinimumAmount at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
