namespace TicketToken.Payments.Gateways;

/// <summary>
/// Where the money moves: Stripe, through Stripe.net, at api.stripe.com or at the Stripe-compatible simulated gateway
/// (<c>TicketToken:Payments:Gateway</c>). Takes and answers the module's own records and fails with
/// <see cref="GatewayException"/>; what happens later arrives as signed webhooks. Every write takes an idempotency key:
/// the same key always means the same effect, however often it is retried.
/// </summary>
public interface IPaymentGateway
{
    /// <summary><c>stripe</c> or <c>simulated</c>.</summary>
    string Name { get; }

    Task<GatewayIntent> CreateIntentAsync(NewIntent request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<GatewayIntent> GetIntentAsync(string intentId, CancellationToken cancellationToken = default);

    /// <summary>Cancels an intent that has not succeeded; one that has makes this fail with an invalid request.</summary>
    Task<GatewayIntent> CancelIntentAsync(string intentId, string cancellationReason, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<GatewayRefund> RefundAsync(NewRefund request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<GatewayAccount> CreateConnectAccountAsync(NewAccount request, string idempotencyKey, CancellationToken cancellationToken = default);

    Task<GatewayAccount> GetConnectAccountAsync(string accountId, CancellationToken cancellationToken = default);

    /// <summary>A single-use onboarding link (each call makes a new one).</summary>
    Task<GatewayAccountLink> CreateOnboardingLinkAsync(string accountId, Uri refreshUrl, Uri returnUrl, CancellationToken cancellationToken = default);

    Task<GatewayTransfer> TransferAsync(NewTransfer request, string idempotencyKey, CancellationToken cancellationToken = default);
}
